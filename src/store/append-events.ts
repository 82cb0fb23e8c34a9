/**
 * Event-only changes (progress, log, output: no state change, no audit) of many
 * tasks in one statement: `UPDATE … FROM (VALUES …)` bumps each task's last_seq
 * by its number of events, fenced by lease epoch and state, and the events take
 * the sequence numbers so reserved. A streaming batch then costs one UPDATE and
 * one INSERT instead of one UPDATE per event. Same SQL on SQLite (≥ 3.33) and
 * PostgreSQL.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { ChangeOutcome, TaskChange } from '../core/ports/task-store.ts';
import type { TaskEvent } from '../core/domain/event.ts';
import type { Task } from '../core/domain/task.ts';
import type { Database, TaskEventsTable, TasksTable } from './schema.ts';
import { eventToRow, rowToTask } from './rows.ts';

/** Tasks per statement (5 parameters each): far below SQLite's parameter limit. */
const GROUP_CHUNK = 500;

/** The stored tasks of the given ids (those a fenced update did not apply to), by id. */
export async function currentTasks(trx: Transaction<Database>, ids: readonly string[]): Promise<Map<string, Task>> {
  if (ids.length === 0) return new Map();
  const rows = await trx.selectFrom('tasks').selectAll().where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, rowToTask(r)]));
}

/** True for a change that only appends an event, fenced by epoch, maybe updating progress. */
export function isEventOnly(c: TaskChange): boolean {
  if (c.transition !== undefined || c.audit !== undefined || c.epoch === undefined || c.inStates === undefined) return false;
  const set = c.set ?? {};
  return Object.keys(set).every((k) => k === 'progress');
}

interface Group {
  readonly taskId: string;
  readonly epoch: number;
  readonly indexes: number[];
  progress: number | null | undefined;
}

/**
 * Applies the event-only changes at `indexes` of `changes` (all with the same
 * inStates); writes their outcomes into `out` and their event rows into `events`.
 */
export async function appendEventGroup(
  trx: Transaction<Database>,
  changes: readonly TaskChange[],
  indexes: readonly number[],
  now: number,
  out: ChangeOutcome[],
  events: TaskEventsTable[],
): Promise<void> {
  const groups = new Map<string, Group>();
  for (const i of indexes) {
    const c = changes[i];
    if (c === undefined || c.epoch === undefined) continue;
    const key = `${c.taskId}\u0000${c.epoch}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { taskId: c.taskId, epoch: c.epoch, indexes: [], progress: undefined }));
    g.indexes.push(i);
    if (c.set?.progress !== undefined) g.progress = c.set.progress;
  }
  const inStates = changes[indexes[0] ?? 0]?.inStates ?? [];
  const all = [...groups.values()];
  for (let start = 0; start < all.length; start += GROUP_CHUNK) {
    const chunk = all.slice(start, start + GROUP_CHUNK);
    const values = sql.join(
      chunk.map(
        (g) =>
          sql`(${g.taskId}, cast(${g.epoch} as integer), cast(${g.indexes.length} as integer), cast(${g.progress ?? null} as integer), cast(${g.progress === undefined ? 0 : 1} as integer))`,
      ),
    );
    const result = await sql<Selectable<TasksTable>>`
      with v(v_id, v_epoch, v_n, v_progress, v_set_progress) as (values ${values})
      update tasks set
        last_seq = last_seq + v.v_n,
        updated_at = ${now},
        progress = case when v.v_set_progress = 1 then v.v_progress else tasks.progress end
      from v
      where tasks.id = v.v_id and tasks.lease_epoch = v.v_epoch and tasks.state in (${sql.join([...inStates])})
      returning *`.execute(trx);
    const applied = new Map(result.rows.map((r) => [r.id, rowToTask(r)]));
    const current = await currentTasks(trx, chunk.filter((g) => !applied.has(g.taskId)).map((g) => g.taskId));
    for (const g of chunk) {
      const task = applied.get(g.taskId);
      if (task === undefined) {
        for (const i of g.indexes) out[i] = { applied: false, task: current.get(g.taskId) };
        continue;
      }
      let seq = task.lastSeq - g.indexes.length;
      for (const i of g.indexes) {
        const input = changes[i]?.event;
        if (input === undefined) continue;
        seq += 1;
        const event: TaskEvent = {
          taskId: task.id,
          seq,
          type: input.type,
          state: task.state,
          message: input.message ?? null,
          progress: input.progress ?? null,
          data: input.data ?? null,
          createdAt: now,
        };
        events.push(eventToRow(event));
        out[i] = { applied: true, task, event };
      }
    }
  }
}
