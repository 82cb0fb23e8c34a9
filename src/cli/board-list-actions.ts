/**
 * `switchboard tasks list`, `tasks activity` and `projects activity`: board tasks
 * across projects by filter, and the history of a card or of a whole project.
 */
import { ExitCodes } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { formatTable, truncate } from './format.ts';
import { collectPages } from './paging.ts';
import { boardClient, type ActivityView, type BoardTaskQuery } from './board-client.ts';

/** Options of `tasks list`. */
export interface TaskListOptions {
  readonly project?: string;
  readonly status?: string;
  readonly agent?: string;
  readonly search?: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

/** Options of the activity listings. */
export interface ActivityOptions {
  readonly after?: number;
  readonly limit?: number;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

export async function tasksListAction(ctx: CommandContext, opts: TaskListOptions): Promise<number> {
  const client = boardClient(ctx.client);
  const filters: BoardTaskQuery = {
    ...(opts.project !== undefined ? { project_id: opts.project } : {}),
    ...(opts.status !== undefined ? { status: opts.status } : {}),
    ...(opts.agent !== undefined ? { assigned_agent_type: opts.agent } : {}),
    ...(opts.search !== undefined ? { q: opts.search } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  };
  const { items: tasks, next } = await collectPages(
    async (cursor) => {
      const page = await client.findTasks({ ...filters, ...(cursor !== undefined ? { cursor } : {}) });
      return { items: page.tasks, next: page.next_cursor };
    },
    opts.cursor,
    opts.all === true,
  );
  if (ctx.json) {
    ctx.out(pretty({ tasks, next_cursor: next }));
    return ExitCodes.ok;
  }
  ctx.out(
    tasks.length === 0
      ? 'No board tasks.'
      : formatTable(
          ['KEY', 'STATUS', 'PRIORITY', 'AGENT', 'RUN', 'TITLE'],
          tasks.map((t) => [t.key, t.status, t.priority, t.assigned_agent_type ?? '-', t.agent_execution_status ?? '-', truncate(t.title, 60)]),
        ),
  );
  if (next !== null) ctx.note(`more tasks: switchboard tasks list --cursor ${next} (or --all)`);
  return ExitCodes.ok;
}

function activityTable(entries: readonly ActivityView[]): string {
  if (entries.length === 0) return 'No activity.';
  return formatTable(
    ['ID', 'TIME', 'TASK', 'KIND', 'BY', 'DETAILS'],
    entries.map((a) => [String(a.id), a.created_at, a.task_key ?? '-', a.kind, a.actor_id ?? 'engine', truncate(JSON.stringify(a.details), 60)]),
  );
}

function showActivity(ctx: CommandContext, entries: readonly ActivityView[], again: string, opts: ActivityOptions): number {
  ctx.out(ctx.json ? pretty(entries) : activityTable(entries));
  const last = entries.at(-1);
  // A full page may have more after it: say how to read on.
  if (!ctx.json && last !== undefined && entries.length === (opts.limit ?? 100)) ctx.note(`more: ${again} --after ${last.id}`);
  return ExitCodes.ok;
}

const activityQuery = (opts: ActivityOptions) => ({
  ...(opts.after !== undefined ? { after_id: opts.after } : {}),
  ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
});

export async function tasksActivityAction(ctx: CommandContext, ref: string, opts: ActivityOptions): Promise<number> {
  const entries = await boardClient(ctx.client).taskActivity(ref, activityQuery(opts));
  return showActivity(ctx, entries, `switchboard tasks activity ${ref}`, opts);
}

export async function projectsActivityAction(ctx: CommandContext, ref: string, opts: ActivityOptions): Promise<number> {
  const entries = await boardClient(ctx.client).projectActivity(ref, activityQuery(opts));
  return showActivity(ctx, entries, `switchboard projects activity ${ref}`, opts);
}
