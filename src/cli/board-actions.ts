/**
 * What `switchboard board` and `switchboard tasks …` do once their arguments are
 * parsed. Board tasks are named by key (DEMO-7) or numeric id; `execute --follow`
 * follows the runtime task the execution started, like `submit --follow`.
 */
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { chooseDisplay, followTask, interruptSignal } from './follow.ts';
import { formatTable, truncate } from './format.ts';
import { readText } from './input.ts';
import { boardClient, type BoardTaskBody, type BoardTaskView } from './board-client.ts';
import { BoardStatuses } from '../core/domain/board.ts';

export interface TaskFieldOptions {
  readonly title?: string;
  readonly description?: string;
  readonly priority?: string;
  readonly status?: string;
  readonly agent?: string;
}
export interface MoveOptions {
  readonly position?: number;
}
export interface ExecuteOptions {
  readonly agent?: string;
  readonly prompt?: string;
  readonly follow?: boolean;
}
export interface PrOptions {
  readonly title?: string;
  readonly body?: string;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** The request body of the options given; with `clearEmpty`, '' becomes null (clears the field). */
function taskBody(opts: TaskFieldOptions, clearEmpty: boolean): BoardTaskBody {
  const body: BoardTaskBody = {};
  const put = (field: 'title' | 'description' | 'priority' | 'status' | 'assigned_agent_type', value: string | undefined, nullable: boolean) => {
    if (value !== undefined) body[field] = nullable && clearEmpty && value === '' ? null : value;
  };
  put('title', opts.title, false);
  put('description', opts.description, true);
  put('priority', opts.priority, false);
  put('status', opts.status, false);
  put('assigned_agent_type', opts.agent, true);
  return body;
}

const cardRow = (t: BoardTaskView): string[] => [t.key, t.priority, t.assigned_agent_type ?? '-', t.agent_execution_status ?? '-', t.github_pr_url ?? '-', truncate(t.title, 60)];
const CARD_HEADERS = ['KEY', 'PRIORITY', 'AGENT', 'RUN', 'PR', 'TITLE'];

/** The board as text: one section per column, in board order, cards by position. */
export function formatBoard(tasks: readonly BoardTaskView[]): string {
  return BoardStatuses.map((status) => {
    const cards = tasks.filter((t) => t.status === status).sort((a, b) => a.position - b.position);
    const head = `${status.toUpperCase().replace('_', ' ')} (${cards.length})`;
    return cards.length === 0 ? `${head}\n  -` : `${head}\n${indent(formatTable(CARD_HEADERS, cards.map(cardRow)))}`;
  }).join('\n\n');
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

function formatCard(t: BoardTaskView): string {
  const rows: [string, string | null][] = [
    ['Task', `${t.key} · ${t.title} (id ${t.id})`],
    ['Column', `${t.status} (position ${t.position})`],
    ['Priority', t.priority],
    ['Agent', t.assigned_agent_type],
    ['Last run', t.agent_execution_status],
    ['Branch', t.github_branch_name],
    ['Pull request', t.github_pr_url],
    ['Created', `${t.created_at} by ${t.created_by}`],
    ['Updated', t.updated_at],
  ];
  const lines = rows.map(([label, value]) => `${`${label}:`.padEnd(14)}${value ?? '-'}`);
  if (t.description !== null && t.description !== '') lines.push('', t.description);
  return lines.join('\n');
}

export async function boardAction(ctx: CommandContext, projectRef: string): Promise<number> {
  const client = boardClient(ctx.client);
  const [project, tasks] = await Promise.all([client.getProject(projectRef), client.listTasks(projectRef)]);
  if (ctx.json) {
    const columns = Object.fromEntries(BoardStatuses.map((s) => [s, tasks.filter((t) => t.status === s).sort((a, b) => a.position - b.position)]));
    ctx.out(pretty({ project, columns }));
  } else {
    ctx.out(`${project.key} · ${project.name}\n\n${formatBoard(tasks)}`);
  }
  return ExitCodes.ok;
}

export async function tasksCreateAction(ctx: CommandContext, projectRef: string, words: string[], opts: TaskFieldOptions): Promise<number> {
  const title = await readText(words, 'title');
  const created = await boardClient(ctx.client).createTask({ project_id: projectRef, ...taskBody(opts, false), title });
  ctx.out(ctx.json ? pretty(created) : `Created ${created.key} in ${created.status}. Run it: switchboard tasks execute ${created.key} --follow`);
  return ExitCodes.ok;
}

export async function tasksShowAction(ctx: CommandContext, ref: string): Promise<number> {
  const client = boardClient(ctx.client);
  const [task, executions] = await Promise.all([client.getTask(ref), client.executions(ref)]);
  if (ctx.json) {
    ctx.out(pretty({ ...task, executions }));
    return ExitCodes.ok;
  }
  ctx.out(formatCard(task));
  if (executions.length > 0) {
    ctx.out(
      `\nExecutions:\n${indent(
        formatTable(
          ['ID', 'RUNTIME TASK', 'AGENT', 'STATUS', 'STARTED', 'RESULT'],
          executions.map((e) => [String(e.id), e.execution_uuid, e.agent_type, e.status, e.started_at, truncate(e.error_message ?? e.response ?? '', 50)]),
        ),
      )}`,
    );
  }
  return ExitCodes.ok;
}

export async function tasksMoveAction(ctx: CommandContext, ref: string, status: string, opts: MoveOptions): Promise<number> {
  const moved = await boardClient(ctx.client).updateTask(ref, { status, ...(opts.position !== undefined ? { position: opts.position } : {}) });
  ctx.out(ctx.json ? pretty(moved) : `${moved.key} is in ${moved.status} (position ${moved.position})`);
  return ExitCodes.ok;
}

export async function tasksEditAction(ctx: CommandContext, ref: string, opts: TaskFieldOptions): Promise<number> {
  const body = taskBody(opts, true);
  if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one field option (see switchboard tasks edit --help)');
  const edited = await boardClient(ctx.client).updateTask(ref, body);
  ctx.out(ctx.json ? pretty(edited) : formatCard(edited));
  return ExitCodes.ok;
}

export async function tasksDeleteAction(ctx: CommandContext, ref: string): Promise<number> {
  const deleted = await boardClient(ctx.client).deleteTask(ref);
  ctx.out(ctx.json ? pretty(deleted) : `Deleted ${deleted.key} (${truncate(deleted.title, 60)})`);
  return ExitCodes.ok;
}

export async function tasksExecuteAction(ctx: CommandContext, ref: string, opts: ExecuteOptions): Promise<number> {
  const execution = await boardClient(ctx.client).execute({
    task_id: ref,
    ...(opts.agent !== undefined ? { agent_type: opts.agent } : {}),
    ...(opts.prompt !== undefined ? { prompt: opts.prompt } : {}),
  });
  const runtimeTask = execution.execution_uuid;
  if (opts.follow !== true) {
    ctx.out(ctx.json ? pretty(execution) : runtimeTask);
    if (!ctx.json) ctx.note(`Execution ${execution.id} of ${ref} runs on ${execution.agent_type}. Follow it: switchboard watch ${runtimeTask}`);
    return ExitCodes.ok;
  }
  const display = chooseDisplay(ctx.json);
  const interrupt = interruptSignal();
  try {
    display.intro(`Executing ${ref} on ${execution.agent_type} (runtime task ${runtimeTask})`);
    return await followTask(ctx.client, runtimeTask, display, interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

export async function tasksDiffAction(ctx: CommandContext, ref: string): Promise<number> {
  const d = await boardClient(ctx.client).diff(ref);
  if (ctx.json) {
    ctx.out(pretty(d));
    return ExitCodes.ok;
  }
  // The summary goes to stderr so `switchboard tasks diff DEMO-1 > change.patch` gives a clean patch.
  ctx.note(`${d.branch} against ${d.base}: ${d.files.length} file(s) changed`);
  for (const f of d.files) ctx.note(`  ${f.binary ? 'binary' : `+${f.added} -${f.removed}`}  ${f.path}`);
  if (d.diff !== '') ctx.out(d.diff.endsWith('\n') ? d.diff.slice(0, -1) : d.diff);
  if (d.truncated) ctx.note('(the diff was cut at 512 KiB)');
  return ExitCodes.ok;
}

export async function tasksPrAction(ctx: CommandContext, ref: string, opts: PrOptions): Promise<number> {
  const pr = await boardClient(ctx.client).createPr(ref, {
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
  ctx.out(ctx.json ? pretty(pr) : pr.pr_url);
  if (!ctx.json) ctx.note(`${pr.created ? 'Opened' : 'Already open:'} pull request #${pr.pr_number} from ${pr.branch_name}`);
  return ExitCodes.ok;
}
