/** `switchboard approve <task-id> [--deny] [--reason R]`: decide the skill call a waiting task asks approval for. */
import type { Command } from 'commander';
import type { CommandContext } from './actions.ts';
import type { RunAction } from './audit-commands.ts';
import { ApiError, ExitCodes, ExitError } from './cli-errors.ts';

/** Options of `approve`, as commander hands them over. */
export interface ApproveOptions {
  readonly deny?: boolean;
  readonly reason?: string;
  readonly approval?: string;
}

/** `approve`: approve (or with --deny refuse) the pending skill call; the task resumes either way. */
export async function approveAction(ctx: CommandContext, taskId: string, opts: ApproveOptions): Promise<number> {
  const decision = opts.deny === true ? 'deny' : 'approve';
  try {
    const task = await ctx.client.approve(taskId, {
      decision,
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
      ...(opts.approval !== undefined ? { approval_id: opts.approval } : {}),
    });
    ctx.out(ctx.json ? JSON.stringify(task, null, 2) : `${decision === 'approve' ? 'Approved' : 'Denied'} the call of task ${task.task_id}; it is ${task.state}`);
    return ExitCodes.ok;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'APPROVAL_NOT_PENDING') {
      throw new ExitError(ExitCodes.failure, `task ${taskId} is not waiting for an approval (${err.code})`);
    }
    throw err;
  }
}

/** Adds `approve` to `program`. */
export function registerApproveCommand(program: Command, run: RunAction): void {
  program
    .command('approve')
    .description('Approve (or --deny) the skill call a waiting task asks approval for, so it resumes')
    .argument('<task-id>')
    .option('--deny', 'refuse the call; the agent is told it was denied')
    .option('--reason <text>', 'why (shown to the agent on a denial, kept in the task events and audit)')
    .option('--approval <id>', 'the approval id from the waiting event; refused if another one is pending')
    .action((id: string, opts: ApproveOptions, cmd: Command) => run(cmd, (ctx) => approveAction(ctx, id, opts)));
}
