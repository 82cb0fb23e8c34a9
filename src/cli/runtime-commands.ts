/** `switchboard inbox` and `switchboard events <task-id>`: what waits for you, and a task's stored events. */
import { z } from 'zod';
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import type { CommandContext } from './actions.ts';
import { ExitCodes } from './cli-errors.ts';
import { formatEventLine, formatTable, truncate } from './format.ts';
import { nonNegativeInt, positiveInt } from './input.ts';
import { eventView } from '../wire/event.ts';
import { taskView, type TaskView } from '../wire/task.ts';

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

const whatToDo = (t: TaskView): string =>
  t.waiting?.kind === 'approval' ? `switchboard approve ${t.task_id} [--deny]` : `switchboard answer ${t.task_id} "..."`;

async function inboxAction(ctx: CommandContext, opts: { readonly limit?: number }): Promise<number> {
  const { tasks } = await ctx.client.call('GET', `/api/runtime/inbox${opts.limit !== undefined ? `?limit=${opts.limit}` : ''}`, z.object({ tasks: z.array(taskView) }));
  if (ctx.json) {
    ctx.out(pretty(tasks));
    return ExitCodes.ok;
  }
  if (tasks.length === 0) {
    ctx.out('Nothing waits for you.');
    return ExitCodes.ok;
  }
  ctx.out(
    formatTable(
      ['TASK ID', 'AGENT', 'WAITS FOR', 'SINCE', 'QUESTION', 'DO'],
      tasks.map((t) => [
        t.task_id,
        t.agent_type,
        t.waiting?.kind === 'approval' ? `approval (${t.waiting.skill})` : 'answer',
        t.updated_at,
        truncate(t.question ?? '', 60),
        whatToDo(t),
      ]),
    ),
  );
  return ExitCodes.ok;
}

async function eventsAction(ctx: CommandContext, taskId: string, opts: { readonly after?: number; readonly limit?: number }): Promise<number> {
  const qs = new URLSearchParams();
  if (opts.after !== undefined) qs.set('after_seq', String(opts.after));
  if (opts.limit !== undefined) qs.set('limit', String(opts.limit));
  const q = qs.toString();
  const events = await ctx.client.call('GET', `/api/runtime/tasks/${encodeURIComponent(taskId)}/events${q === '' ? '' : `?${q}`}`, z.array(eventView));
  if (ctx.json) ctx.out(pretty(events));
  else ctx.out(events.length === 0 ? 'No events.' : events.map(formatEventLine).join('\n'));
  return ExitCodes.ok;
}

/** Adds `inbox` and `events` to `program`. */
export function registerRuntimeCommands(program: Command, run: RunAction): void {
  program
    .command('inbox')
    .description('The waiting tasks that wait for you, newest first: questions of your own tasks, and approvals you may decide')
    .option('--limit <n>', 'at most this many (server default 100, at most 200)', positiveInt)
    .action((opts: { limit?: number }, cmd: Command) => run(cmd, (ctx) => inboxAction(ctx, opts)));
  program
    .command('events')
    .description("A task's stored events, oldest first, without following (see `watch` to follow)")
    .argument('<task-id>')
    .option('--after <seq>', 'only events after this sequence number', nonNegativeInt)
    .option('--limit <n>', 'at most this many (server default 1000)', positiveInt)
    .action((id: string, opts: { after?: number; limit?: number }, cmd: Command) => run(cmd, (ctx) => eventsAction(ctx, id, opts)));
}
