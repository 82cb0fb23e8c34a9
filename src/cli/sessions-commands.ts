/** `switchboard sessions list|show|create|revoke|memory|history`: clients of /api/runtime/sessions. */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import { positiveInt } from './input.ts';
import {
  sessionsCreateAction,
  sessionsHistoryAction,
  sessionsListAction,
  sessionsMemoryAction,
  sessionsRevokeAction,
  sessionsShowAction,
  type HistoryOptions,
  type MemoryOptions,
  type SessionCreateOptions,
  type SessionListOptions,
} from './sessions-actions.ts';

/** Adds `sessions` with its subcommands to `program`. */
export function registerSessionCommands(program: Command, run: RunAction): void {
  const sessions = program.command('sessions').description("Manage sessions and a session's memory and history");
  sessions
    .command('list')
    .description("Your live sessions, newest first (anyone's with admin:users)")
    .option('--all', "everyone's sessions (admin:users)")
    .option('--user <user>', "another user's sessions, by id or username (admin:users)")
    .action((opts: SessionListOptions, cmd: Command) => run(cmd, (ctx) => sessionsListAction(ctx, opts)));
  sessions
    .command('show')
    .description('One session (never its secret)')
    .argument('<session-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => sessionsShowAction(ctx, id)));
  sessions
    .command('create')
    .description('Create a session from your credential; its token is printed once on stdout')
    .option('--user <user>', 'for another user, by id or username (admin:users)')
    .option('--device <id>', 'the device this session is for')
    .action((opts: SessionCreateOptions, cmd: Command) => run(cmd, (ctx) => sessionsCreateAction(ctx, opts)));
  sessions
    .command('revoke')
    .description('Revoke a session: it stops working at once')
    .argument('<session-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => sessionsRevokeAction(ctx, id)));
  sessions
    .command('memory')
    .description("List, get, set or delete keys of a session's memory (only with that session as the credential)")
    .argument('<session-id>')
    .argument('[action]', 'get, set or delete (default: list every key)')
    .argument('[key]')
    .argument('[value...]', 'for set: a JSON value (`-` reads stdin)')
    .option('--string', 'set: store the value as a string, not JSON')
    .action((id: string, action: string | undefined, key: string | undefined, value: string[], opts: MemoryOptions, cmd: Command) =>
      run(cmd, (ctx) => sessionsMemoryAction(ctx, id, action, key, value, opts)),
    );
  sessions
    .command('history')
    .description("A session's tasks, oldest first (only with that session as the credential)")
    .argument('<session-id>')
    .option('--limit <n>', 'the most recent n tasks (default 100, at most 500)', positiveInt)
    .action((id: string, opts: HistoryOptions, cmd: Command) => run(cmd, (ctx) => sessionsHistoryAction(ctx, id, opts)));
}
