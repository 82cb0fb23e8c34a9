/** `switchboard agents [list|show|set|delete|check]` and `switchboard worktree remove`. */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import { agentsAction } from './actions.ts';
import {
  agentsCheckAction,
  agentsDeleteAction,
  agentsSetAction,
  agentsShowAction,
  worktreeRemoveAction,
  type AgentSetOptions,
  type WorktreeRemoveOptions,
} from './agents-actions.ts';
import { positiveInt } from './input.ts';

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').map((s) => s.trim()).filter((s) => s !== ''),
];

/** Adds `agents` (listing by default) with its subcommands, and `worktree remove`, to `program`. */
export function registerAgentCommands(program: Command, run: RunAction): void {
  const agents = program.command('agents').description('List agents and whether each can run now; manage agent definitions (needs agent:configure)');
  agents
    .command('list', { isDefault: true })
    .description('List the configured agents and whether each can run now')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => agentsAction(ctx)));
  agents
    .command('show')
    .description("Show an agent's definition (secrets only as env: references) and availability")
    .argument('<id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => agentsShowAction(ctx, id)));
  agents
    .command('set')
    .description('Create or replace an agent defined in the database (takes effect for the next task)')
    .argument('<id>')
    .option('--file <file>', 'the definition as YAML or JSON, one entry of agents: in switchboard.config.yaml (`-` = stdin)')
    .option('--kind <kind>', 'echo, command, openai, anthropic, ollama or http')
    .option('--name <name>')
    .option('--description <text>')
    .option('--model <model>')
    .option('--base-url <url>')
    .option('--api-key <ref>', 'an env: reference such as env:OPENAI_API_KEY (never the key itself)')
    .option('--preset <preset>', 'command agents: claude-code, codex, gemini, goose, aider or generic')
    .option('--concurrency <n>', 'tasks of this agent at once on each node', positiveInt)
    .option('--timeout-ms <ms>', 'time limit of one run', positiveInt)
    .option('--max-attempts <n>', 'attempts in all when a run fails in a retryable way', positiveInt)
    .option('--skill <ids>', "skills it may use as tools, or '*' (repeat or comma-separate)", collect)
    .option('--capability <names>', 'e.g. code_generation (repeat or comma-separate)', collect)
    .action((id: string, opts: AgentSetOptions, cmd: Command) => run(cmd, (ctx) => agentsSetAction(ctx, id, opts)));
  agents
    .command('delete')
    .description('Delete an agent defined in the database (agents of the config file are read-only)')
    .argument('<id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => agentsDeleteAction(ctx, id)));
  agents
    .command('check')
    .description('Check now whether an agent can run; exit 0 if it can, 1 if not')
    .argument('<id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => agentsCheckAction(ctx, id)));

  const worktree = program.command('worktree').description("Git worktrees of tasks run by command agents with a repo");
  worktree
    .command('remove')
    .description("Remove a finished task's worktree (its owner or admin:system)")
    .argument('<task-id>')
    .option('--delete-branch', 'delete its task/ branch too')
    .action((id: string, opts: WorktreeRemoveOptions, cmd: Command) => run(cmd, (ctx) => worktreeRemoveAction(ctx, id, opts)));
}
