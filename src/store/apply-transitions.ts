/**
 * Changes of the same shape (same state change or state fence, same patched
 * columns, same lease handling) of many tasks in one statement:
 * `WITH v(…) AS (VALUES …) UPDATE tasks … FROM v`, fenced per row by lease epoch
 * and state like the single-row form. A commit full of outcomes (running →
 * completed, each with its result) then costs one UPDATE instead of one per task,
 * and its SQL text is built once per shape and row count, not by the query
 * builder per change. Same SQL on SQLite (≥ 3.33) and PostgreSQL.
 */
import { CompiledQuery, type Selectable, type Transaction } from 'kysely';
import type { ChangeOutcome, TaskChange, TaskPatch } from '../core/ports/task-store.ts';
import type { Task } from '../core/domain/task.ts';
import type { Database, TasksTable } from './schema.ts';
import { rowToTask, waitingColumns } from './rows.ts';
import { currentTasks } from './append-events.ts';

type SqlType = 'text' | 'integer' | 'bigint';
type PatchKey = Exclude<keyof TaskPatch, 'releaseLease'>;

/** The columns each patched field writes, and their values. */
const PATCH: Readonly<Record<PatchKey, { readonly columns: readonly (readonly [string, SqlType])[]; readonly values: (set: TaskPatch) => readonly unknown[] }>> = {
  result: { columns: [['result', 'text']], values: (s) => [s.result === null || s.result === undefined ? null : JSON.stringify(s.result)] },
  error: { columns: [['error', 'text']], values: (s) => [s.error ?? null] },
  metadata: { columns: [['metadata', 'text']], values: (s) => [JSON.stringify(s.metadata ?? {})] },
  progress: { columns: [['progress', 'integer']], values: (s) => [s.progress ?? null] },
  waiting: {
    columns: [
      ['question', 'text'],
      ['waiting_approval', 'text'],
    ],
    values: (s) => {
      const w = waitingColumns(s.waiting ?? null);
      return [w.question, w.waiting_approval];
    },
  },
  attempt: { columns: [['attempt', 'integer']], values: (s) => [s.attempt ?? null] },
  runAfter: { columns: [['run_after', 'bigint']], values: (s) => [s.runAfter ?? null] },
  startedAt: { columns: [['started_at', 'bigint']], values: (s) => [s.startedAt ?? null] },
  finishedAt: { columns: [['finished_at', 'bigint']], values: (s) => [s.finishedAt ?? null] },
};
const PATCH_KEYS = Object.keys(PATCH) as PatchKey[];

/** What makes two changes share one statement. */
interface Shape {
  readonly key: string;
  readonly to: string | undefined;
  readonly states: readonly string[] | undefined;
  readonly fenced: boolean;
  readonly release: boolean;
  readonly patched: readonly PatchKey[];
}

/** The shape of a change: its statement's SQL depends on nothing else. */
export function shapeOf(c: TaskChange): Shape {
  const set = c.set ?? {};
  const patched = PATCH_KEYS.filter((k) => set[k] !== undefined);
  const to = c.transition?.to;
  const states = c.transition?.from ?? c.inStates;
  const fenced = c.epoch !== undefined;
  const release = set.releaseLease === true;
  const key = `${to ?? ''}|${states?.join(',') ?? '*'}|${fenced ? 'e' : ''}|${release ? 'r' : ''}|${patched.join(',')}`;
  return { key, to, states, fenced, release, patched };
}

const sqlCache = new Map<string, string>();

function updateSql(shape: Shape, rows: number, postgres: boolean): string {
  const cacheKey = `${shape.key}|${rows}|${postgres ? 'pg' : 'lite'}`;
  let text = sqlCache.get(cacheKey);
  if (text !== undefined) return text;
  let n = 0;
  const param = (type: SqlType): string => `cast(${postgres ? `$${++n}` : '?'} as ${type})`;
  const columns: (readonly [string, SqlType])[] = [['id', 'text']];
  if (shape.fenced) columns.push(['epoch', 'integer']);
  for (const k of shape.patched) columns.push(...PATCH[k].columns);
  const tuple = (): string => `(${columns.map(([, type]) => param(type)).join(', ')})`;
  const tuples = Array.from({ length: rows }, tuple).join(', ');
  const sets = ['last_seq = last_seq + 1', `updated_at = ${param('bigint')}`];
  if (shape.to !== undefined) sets.push(`state = ${param('text')}`);
  for (const [name] of columns.slice(shape.fenced ? 2 : 1)) sets.push(`${name} = v.v_${name}`);
  if (shape.release) sets.push('lease_owner = null', 'lease_expires_at = null', 'lease_epoch = lease_epoch + 1');
  const where = ['tasks.id = v.v_id'];
  if (shape.fenced) where.push('tasks.lease_epoch = v.v_epoch');
  if (shape.states !== undefined) where.push(`tasks.state in (${shape.states.map(() => param('text')).join(', ')})`);
  text =
    `with v(${columns.map(([name]) => `v_${name}`).join(', ')}) as (values ${tuples}) ` +
    `update tasks set ${sets.join(', ')} from v where ${where.join(' and ')} returning *`;
  sqlCache.set(cacheKey, text);
  return text;
}

/** Splits n into powers of two (37 → 32, 4, 1): a few SQL texts per shape, each prepared once. */
function chunkSizes(n: number, max: number): number[] {
  const sizes: number[] = [];
  let left = n;
  for (let size = max; size >= 1; size /= 2) {
    while (left >= size) {
      sizes.push(size);
      left -= size;
    }
  }
  return sizes;
}

/** Rows per statement at most (a power of two); a dozen parameters each stays far below SQLite's limit. */
const MAX_ROWS = 128;

/**
 * Applies the changes at `indexes` of `changes` (one shape, each task at most once)
 * and writes their outcomes into `out`; the events and audit records are the
 * caller's, built from the outcomes.
 */
export async function applyTransitionGroup(
  trx: Transaction<Database>,
  changes: readonly TaskChange[],
  indexes: readonly number[],
  now: number,
  postgres: boolean,
  out: ChangeOutcome[],
  eventOf: (task: Task, change: TaskChange) => ChangeOutcome,
): Promise<void> {
  const first = changes[indexes[0] ?? -1];
  if (first === undefined) return;
  const shape = shapeOf(first);
  let start = 0;
  for (const size of chunkSizes(indexes.length, MAX_ROWS)) {
    const chunk = indexes.slice(start, start + size);
    start += size;
    const params: unknown[] = [];
    for (const i of chunk) {
      const c = changes[i];
      if (c === undefined) continue;
      params.push(c.taskId);
      if (shape.fenced) params.push(c.epoch);
      const set = c.set ?? {};
      for (const k of shape.patched) params.push(...PATCH[k].values(set));
    }
    params.push(now);
    if (shape.to !== undefined) params.push(shape.to);
    if (shape.states !== undefined) params.push(...shape.states);
    const result = await trx.executeQuery<Selectable<TasksTable>>(CompiledQuery.raw(updateSql(shape, chunk.length, postgres), params));
    const applied = new Map(result.rows.map((r) => [r.id, rowToTask(r)]));
    const missing = chunk.flatMap((i) => {
      const id = changes[i]?.taskId;
      return id === undefined || applied.has(id) ? [] : [id];
    });
    const current = await currentTasks(trx, missing);
    for (const i of chunk) {
      const c = changes[i];
      if (c === undefined) continue;
      const task = applied.get(c.taskId);
      out[i] = task === undefined ? { applied: false, task: current.get(c.taskId) } : eventOf(task, c);
    }
  }
}
