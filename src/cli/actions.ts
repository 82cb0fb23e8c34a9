/**
 * What each client command does once its arguments are parsed. Each returns the
 * exit code; errors are thrown and reported in one place (commands.ts).
 */
import { collectPages } from './paging.ts';
import { ApiError, ExitCodes, ExitError } from './cli-errors.ts';
import type { ApiClient, ListTasksQuery, SubmitRequest } from './client.ts';
import { chooseDisplay, followTask, interruptSignal } from './follow.ts';
import { formatAgentTable, formatTaskSummary, formatTaskTable } from './format.ts';
import { readContext, readText } from './input.ts';

/** What every action gets: the client and how to write. */
export interface CommandContext {
  readonly client: ApiClient;
  readonly json: boolean;
  /** A line (or block) on stdout. */
  readonly out: (text: string) => void;
  /** A line on stderr: notes and hints that must not mix with results. */
  readonly note: (text: string) => void;
}

/** Options of `submit`, as commander hands them over. */
export interface SubmitOptions {
  readonly context?: string;
  readonly contextFile?: string;
  readonly project?: string;
  readonly session?: string;
  readonly idempotencyKey?: string;
  readonly follow?: boolean;
}

/** Options of `list`. */
export interface ListOptions {
  readonly state?: string;
  readonly agent?: string;
  readonly project?: string;
  readonly session?: string;
  readonly owner?: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

async function follow(ctx: CommandContext, taskId: string, intro: string): Promise<number> {
  const display = chooseDisplay(ctx.json);
  const interrupt = interruptSignal();
  try {
    display.intro(intro);
    return await followTask(ctx.client, taskId, display, interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

/** `submit`: store a task; print its id, or follow it to the end with --follow. */
export async function submitAction(ctx: CommandContext, agent: string, words: string[], opts: SubmitOptions): Promise<number> {
  const promptFromStdin = words.length === 1 && words[0] === '-';
  const prompt = await readText(words, 'prompt');
  const context = await readContext(opts, promptFromStdin);
  const body: SubmitRequest = {
    agent_type: agent,
    prompt,
    ...(context !== undefined ? { context } : {}),
    ...(opts.session !== undefined ? { session_id: opts.session } : {}),
    ...(opts.project !== undefined ? { project_id: opts.project } : {}),
  };
  const { task, replayed } = await ctx.client.submit(body, opts.idempotencyKey);
  const again = replayed ? ' (already submitted with this idempotency key)' : '';
  if (opts.follow !== true) {
    ctx.out(ctx.json ? pretty(task) : task.task_id);
    if (replayed && !ctx.json) ctx.note(`note: task ${task.task_id} was already submitted with this idempotency key`);
    return ExitCodes.ok;
  }
  return follow(ctx, task.task_id, `Submitted task ${task.task_id} (agent ${task.agent_type})${again}`);
}

/** `watch`: the follow display for a task submitted earlier (its history, then live). */
export async function watchAction(ctx: CommandContext, taskId: string): Promise<number> {
  const task = await ctx.client.getTask(taskId); // a clean 404/403 before any stream
  return follow(ctx, task.task_id, `Watching task ${task.task_id} (agent ${task.agent_type}, ${task.state})`);
}

/** `status`: the current state and result of one task. */
export async function statusAction(ctx: CommandContext, taskId: string): Promise<number> {
  const task = await ctx.client.getTask(taskId);
  ctx.out(ctx.json ? pretty(task) : formatTaskSummary(task));
  return ExitCodes.ok;
}

/** `list`: one page of tasks, or every page with --all. */
export async function listAction(ctx: CommandContext, opts: ListOptions): Promise<number> {
  const query: ListTasksQuery = {
    ...(opts.state !== undefined ? { state: opts.state } : {}),
    ...(opts.agent !== undefined ? { agent_type: opts.agent } : {}),
    ...(opts.project !== undefined ? { project_id: opts.project } : {}),
    ...(opts.session !== undefined ? { session_id: opts.session } : {}),
    ...(opts.owner !== undefined ? { owner_id: opts.owner } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  };
  const { items: tasks, next } = await collectPages(
    async (cursor) => {
      const page = await ctx.client.listTasks({ ...query, ...(cursor !== undefined ? { cursor } : {}) });
      return { items: page.tasks, next: page.next_cursor };
    },
    opts.cursor,
    opts.all === true,
  );
  if (ctx.json) {
    ctx.out(pretty({ tasks, next_cursor: next }));
  } else {
    ctx.out(formatTaskTable(tasks));
    if (next !== null) ctx.note(`more tasks: switchboard list --cursor ${next} (or --all)`);
  }
  return ExitCodes.ok;
}

function stateOf(err: ApiError): string | undefined {
  const state = err.details?.['state'];
  return typeof state === 'string' ? state : undefined;
}

/** `cancel`: stop a task and its work; a finished task is a clear error, not a crash. */
export async function cancelAction(ctx: CommandContext, taskId: string): Promise<number> {
  try {
    const task = await ctx.client.cancel(taskId);
    ctx.out(ctx.json ? pretty(task) : `Cancelled task ${task.task_id}`);
    return ExitCodes.ok;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      const state = stateOf(err);
      const why = state !== undefined ? `it has already finished (${state})` : err.message;
      throw new ExitError(ExitCodes.failure, `cannot cancel task ${taskId}: ${why} (${err.code})`);
    }
    throw err;
  }
}

/** `answer`: reply to the question of a waiting task so it resumes. */
export async function answerAction(ctx: CommandContext, taskId: string, words: string[]): Promise<number> {
  const answer = await readText(words, 'answer');
  try {
    const task = await ctx.client.answer(taskId, answer);
    ctx.out(ctx.json ? pretty(task) : `Answered task ${task.task_id}; it is ${task.state}`);
    return ExitCodes.ok;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'TASK_NOT_WAITING') {
      const state = stateOf(err);
      const now = state !== undefined ? ` (it is ${state})` : '';
      throw new ExitError(ExitCodes.failure, `task ${taskId} is not waiting for an answer${now} (${err.code})`);
    }
    throw err;
  }
}

/** `agents`: the configured agents and whether each can run now. */
export async function agentsAction(ctx: CommandContext): Promise<number> {
  const agents = await ctx.client.listAgents();
  ctx.out(ctx.json ? pretty(agents) : formatAgentTable(agents));
  return ExitCodes.ok;
}
