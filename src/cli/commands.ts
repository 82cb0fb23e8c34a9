/**
 * The client commands of the `switchboard` CLI: each is an HTTP client of a running
 * server (see settings.ts for where the URL and token come from).
 */
import type { Command, CommanderError } from 'commander';
import {
  answerAction,
  cancelAction,
  listAction,
  statusAction,
  submitAction,
  watchAction,
  type CommandContext,
  type ListOptions,
  type SubmitOptions,
} from './actions.ts';
import { registerAuditCommands } from './audit-commands.ts';
import { registerApproveCommand } from './approve-commands.ts';
import { registerUserCommands } from './users-commands.ts';
import { registerSkillCommands } from './skills-commands.ts';
import { registerAgentCommands } from './agents-commands.ts';
import { registerSessionCommands } from './sessions-commands.ts';
import { registerDeviceCommands } from './devices-commands.ts';
import { registerNodeCommands } from './nodes-commands.ts';
import { registerPolicyCommands } from './policy-commands.ts';
import { registerBoardCommands } from './board-commands.ts';
import { registerTelegramCommands } from './telegram-commands.ts';
import { registerRuntimeCommands } from './runtime-commands.ts';
import { registerCompletionCommand } from './completion-commands.ts';
import { registerMcpCommand } from './mcp-commands.ts';
import { ExitCodes, reportError, type TokenSource } from './cli-errors.ts';
import { createApiClient } from './client.ts';
import { positiveInt } from './input.ts';
import { resolveSettings } from './settings.ts';

interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
}

// Resolves settings, runs the action, and reports any error: no stack traces, no token.
async function run(cmd: Command, action: (ctx: CommandContext) => Promise<number>): Promise<void> {
  // `switchboard list | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? ExitCodes.ok);
  });
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  let tokenSource: TokenSource = 'none';
  try {
    const settings = resolveSettings({
      flags: { url: globals.url, token: globals.token },
      env: process.env,
      warn: (m) => process.stderr.write(`switchboard: ${m}\n`),
    });
    tokenSource = settings.tokenSource;
    const ctx: CommandContext = {
      client: createApiClient(settings),
      json: globals.json === true,
      out: (text) => process.stdout.write(`${text}\n`),
      note: (text) => process.stderr.write(`${text}\n`),
    };
    process.exitCode = await action(ctx);
  } catch (err) {
    process.exitCode = reportError(err, process.stderr, tokenSource);
  }
}

// Commander exits 1 on usage errors; we reserve 1 for "the server said no" and use 2.
function usageExit(err: CommanderError): never {
  process.exit(err.exitCode === 0 ? 0 : ExitCodes.usage);
}

/** Adds the global client options and the client commands to `program`. */
export function registerClientCommands(program: Command): void {
  program
    .option('--url <url>', 'server URL (default: $SWITCHBOARD_URL, the config file, or http://127.0.0.1:8000)')
    .option('--token <token>', 'API token (default: $SWITCHBOARD_TOKEN, the config file, or <data dir>/admin-token; a flag shows in ps)')
    .option('--json', 'machine-readable output (NDJSON while following)')
    .exitOverride(usageExit);
  for (const existing of program.commands) existing.exitOverride(usageExit);

  program
    .command('submit')
    .description('Submit a task to an agent; prints its id, or follows it with --follow')
    .argument('<agent>', 'agent type, e.g. echo (see `switchboard agents`)')
    .argument('<prompt...>', 'the prompt; `-` reads it from stdin')
    .option('--context <json>', 'JSON object passed to the agent')
    .option('--context-file <file>', 'read the context JSON from a file (`-` = stdin)')
    .option('--project <id>', 'project the task belongs to')
    .option('--session <id>', 'session the task runs in')
    .option('--idempotency-key <key>', 'makes retrying the submit safe: the same key returns the same task')
    .option('-f, --follow', 'follow the task until it ends; exit 0 only if it completed')
    .action((agent: string, prompt: string[], opts: SubmitOptions, cmd: Command) => run(cmd, (ctx) => submitAction(ctx, agent, prompt, opts)));

  program
    .command('status')
    .description('Show the state and result of a task')
    .argument('<task-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => statusAction(ctx, id)));

  program
    .command('list')
    .description('List tasks, newest first')
    .option('--state <states>', 'only these states, comma-separated (e.g. running,waiting)')
    .option('--agent <type>', 'only tasks of this agent')
    .option('--project <id>', 'only tasks of this project')
    .option('--session <id>', 'only tasks of this session')
    .option('--owner <user-id>', "only this user's tasks (admins; others always see their own)")
    .option('--limit <n>', 'tasks per page (server default 50, at most 500)', positiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'fetch every page')
    .action((opts: ListOptions, cmd: Command) => run(cmd, (ctx) => listAction(ctx, opts)));

  program
    .command('watch')
    .description('Follow a task (its history, then live) until it ends; exit 0 only if it completed')
    .argument('<task-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => watchAction(ctx, id)));

  program
    .command('cancel')
    .description('Cancel a task and stop its work')
    .argument('<task-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => cancelAction(ctx, id)));

  program
    .command('answer')
    .description('Answer the question of a waiting task so it resumes')
    .argument('<task-id>')
    .argument('<answer...>', 'the answer; `-` reads it from stdin')
    .action((id: string, answer: string[], _opts: unknown, cmd: Command) => run(cmd, (ctx) => answerAction(ctx, id, answer)));

  registerRuntimeCommands(program, run);
  registerAgentCommands(program, run);

  registerApproveCommand(program, run);
  registerAuditCommands(program, run);
  registerUserCommands(program, run);
  registerSessionCommands(program, run);
  registerDeviceCommands(program, run);
  registerNodeCommands(program, run);
  registerPolicyCommands(program, run);
  registerBoardCommands(program, run);
  registerSkillCommands(program, run);
  registerTelegramCommands(program, run);
  registerCompletionCommand(program);
  registerMcpCommand(program);
}
