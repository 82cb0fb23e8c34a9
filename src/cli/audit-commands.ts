/** `switchboard audit query|export|verify`: read-only clients of /api/audit. */
import type { Command } from 'commander';
import type { CommandContext } from './actions.ts';
import {
  auditExportAction,
  auditQueryAction,
  auditVerifyAction,
  type AuditExportOptions,
  type AuditQueryOptions,
} from './audit-actions.ts';
import { positiveInt } from './input.ts';

/** How commands.ts runs an action (settings, client, error reporting). */
export type RunAction = (cmd: Command, action: (ctx: CommandContext) => Promise<number>) => Promise<void>;

function withFilters(cmd: Command): Command {
  return cmd
    .option('--user <id>', "only this user's records (a user may read their own)")
    .option('--session <id>', "only this session's records")
    .option('--event-type <type>', 'e.g. task.submitted, permission.denied')
    .option('--resource-type <type>', 'e.g. task, agent')
    .option('--resource-id <id>')
    .option('--status <status>', 'success, failure or denied')
    .option('--from <time>', 'at or after this time (ISO 8601 or ms since the epoch)')
    .option('--to <time>', 'before this time (ISO 8601 or ms since the epoch)');
}

/** Adds `audit` and its subcommands to `program`. */
export function registerAuditCommands(program: Command, run: RunAction): void {
  const audit = program.command('audit').description('Read, export and verify the audit log');

  withFilters(audit.command('query').description('Audit records, newest first'))
    .option('--limit <n>', 'records per page (server default 100, at most 500)', positiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'fetch every page')
    .action((opts: AuditQueryOptions, cmd: Command) => run(cmd, (ctx) => auditQueryAction(ctx, opts)));

  withFilters(audit.command('export').description('Stream every matching record, newest first (needs admin:system)'))
    .option('--format <format>', 'json (one array) or ndjson (one record per line)', 'json')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((opts: AuditExportOptions, cmd: Command) => run(cmd, (ctx) => auditExportAction(ctx, opts)));

  audit
    .command('verify')
    .description('Verify the audit hash chain; exit 1 naming the first broken record')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => auditVerifyAction(ctx)));
}
