/**
 * TaskStore and AuditStore over Kysely: one code path for SQLite and PostgreSQL.
 * Writes come in batches (group commit): one transaction, one multi-row insert per
 * table, one grouped UPDATE for event-only changes, one conditional UPDATE for
 * each other change. The read side is in kysely-task-queries.ts.
 */
import { type Kysely, type Transaction, sql } from 'kysely';
import { LEASED_STATES } from '../core/domain/transitions.ts';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { ChangeOutcome, ClaimRequest, ClaimedTask, CommitBatch, CommitResult, CreateOutcome, EventInput, LeaseRef, TaskChange, TaskStore } from '../core/ports/task-store.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { TaskEvent } from '../core/domain/event.ts';
import type { Task } from '../core/domain/task.ts';
import type { Database, TaskEventsTable, TasksTable } from './schema.ts';
import { eventToRow, rowToTask, taskToRow } from './rows.ts';
import { createKyselyTaskQueries } from './kysely-task-queries.ts';
import { appendEventGroup, isEventOnly } from './append-events.ts';
import { applyTransitionGroup, shapeOf } from './apply-transitions.ts';
import { appendAudit as appendAuditRecords } from './audit-append.ts';
import { ROWS_PER_INSERT, bulkInsert } from './bulk-insert.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface KyselyTaskStoreDeps {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
  /** Tells other nodes which tasks a transaction changed (shared databases). */
  readonly notifyChanged?: (trx: Transaction<Database>, taskIds: readonly string[]) => Promise<void>;
  /** SQLite: inside a connection hold, lets what it wrote go unflushed (a relaxed commit). */
  readonly skipSqliteFlush?: () => void;
}

const EVENT_COLUMNS = ['task_id', 'seq', 'type', 'state', 'message', 'progress', 'data', 'created_at'] as const;
/** Every column taskToRow fills. */
const TASK_COLUMNS = [
  'id', 'execution_uuid', 'agent_type', 'prompt', 'context', 'session_id', 'project_id', 'board_task_id', 'owner_id',
  'idempotency_key', 'state', 'attempt', 'max_attempts', 'result', 'error', 'metadata', 'progress', 'question',
  'waiting_approval', 'last_seq', 'lease_owner', 'lease_expires_at', 'lease_epoch', 'run_after', 'created_at',
  'updated_at', 'started_at', 'finished_at',
] as const satisfies readonly (keyof TasksTable)[];
// A column added to the table but not to the list fails to compile here.
const allTaskColumns: Exclude<keyof TasksTable, (typeof TASK_COLUMNS)[number]> extends never ? true : never = true;
void allTaskColumns;

type Trx = Transaction<Database>;

/**
 * A batch of only progress/log/output events (no new task, no state change, no
 * audit record) is committed without waiting for the disk flush. It survives a
 * process crash; a power loss may drop such trailing events, never a submission,
 * a state change or an audit record — the next durable commit flushes them too.
 * It keeps streaming agents from paying an fsync (which blocks SQLite's caller)
 * per progress batch.
 */
function isProgressOnly(batch: CommitBatch): boolean {
  return (
    batch.creates.length === 0 &&
    batch.audits.length === 0 &&
    batch.claim === undefined &&
    batch.changes.every((c) => c.transition === undefined && c.audit === undefined)
  );
}

/** The event a just-applied update produced: it takes the task's new last_seq and state. */
function eventAfter(task: Task, input: EventInput, now: number): TaskEvent {
  return {
    taskId: task.id,
    seq: task.lastSeq,
    type: input.type,
    state: task.state,
    message: input.message ?? null,
    progress: input.progress ?? null,
    data: input.data ?? null,
    createdAt: now,
  };
}

export function createKyselyTaskStore(deps: KyselyTaskStoreDeps): TaskStore & AuditStore {
  const { db, dialect, ids, hashAudit } = deps;
  const isPg = dialect === 'postgres';
  const insertEvents = async (trx: Trx, rows: readonly TaskEventsTable[]): Promise<void> => {
    await bulkInsert(trx, 'task_events', EVENT_COLUMNS, rows, isPg);
  };

  const auditDeps = { isPg, ids, hashAudit };
  const appendAudit = (trx: Trx, inputs: readonly AuditInput[], now: number): Promise<void> =>
    appendAuditRecords(trx, auditDeps, inputs, now);

  async function createTasks(
    trx: Trx,
    batch: CommitBatch,
    events: TaskEventsTable[],
    audits: AuditInput[],
  ): Promise<CreateOutcome[]> {
    const rows = batch.creates.map((c) => taskToRow(c.task));
    const inserted = new Set<string>();
    // A repeated idempotency key (per owner) inserts nothing: the task is then the stored one.
    const returned = await bulkInsert<'tasks', { id: string }>(trx, 'tasks', TASK_COLUMNS, rows, isPg, ' on conflict (owner_id, idempotency_key) do nothing returning id');
    for (const r of returned) inserted.add(r.id);
    const out: CreateOutcome[] = [];
    for (const c of batch.creates) {
      if (inserted.has(c.task.id)) {
        const event: TaskEvent = {
          taskId: c.task.id,
          seq: 1,
          type: 'state_change',
          state: c.task.state,
          message: 'Task submitted',
          progress: null,
          data: null,
          createdAt: batch.now,
        };
        events.push(eventToRow(event));
        audits.push(c.audit);
        out.push({ kind: 'created', task: c.task, event });
      } else {
        const existing = await trx
          .selectFrom('tasks')
          .selectAll()
          .where('owner_id', '=', c.task.ownerId)
          .where('idempotency_key', '=', c.task.idempotencyKey)
          .executeTakeFirstOrThrow();
        out.push({ kind: 'existing', task: rowToTask(existing) });
      }
    }
    return out;
  }

  /**
   * Event-only changes of tasks that nothing else in the batch touches go in one
   * grouped statement; other changes of tasks changed once in the batch, one
   * statement per shape; the rest one by one, in order, through the same SQL. Audit records follow the
   * changes' order whichever way they were applied.
   */
  async function applyChanges(
    trx: Trx,
    batch: CommitBatch,
    events: TaskEventsTable[],
    audits: AuditInput[],
  ): Promise<ChangeOutcome[]> {
    const out: ChangeOutcome[] = new Array<ChangeOutcome>(batch.changes.length);
    const changesOf = new Map<string, number>();
    const touchedOtherwise = new Set<string>();
    for (const c of batch.changes) {
      changesOf.set(c.taskId, (changesOf.get(c.taskId) ?? 0) + 1);
      if (!isEventOnly(c)) touchedOtherwise.add(c.taskId);
    }
    const eventGroups = new Map<string, number[]>();
    const shapeGroups = new Map<string, number[]>();
    const single: number[] = [];
    const add = (groups: Map<string, number[]>, key: string, i: number): void => {
      const list = groups.get(key);
      if (list === undefined) groups.set(key, [i]);
      else list.push(i);
    };
    batch.changes.forEach((c, i) => {
      if (isEventOnly(c) && !touchedOtherwise.has(c.taskId)) add(eventGroups, (c.inStates ?? []).join(','), i);
      else if (changesOf.get(c.taskId) === 1) add(shapeGroups, shapeOf(c).key, i);
      else single.push(i);
    });
    for (const indexes of eventGroups.values()) await appendEventGroup(trx, batch.changes, indexes, batch.now, out, events);
    const applied = (task: Task, change: TaskChange): ChangeOutcome => {
      const event = eventAfter(task, change.event, batch.now);
      events.push(eventToRow(event));
      return { applied: true, task, event };
    };
    for (const indexes of shapeGroups.values()) await applyTransitionGroup(trx, batch.changes, indexes, batch.now, isPg, out, applied);
    // A task changed more than once: its changes one at a time, in order.
    for (const i of single) await applyTransitionGroup(trx, batch.changes, [i], batch.now, isPg, out, applied);
    batch.changes.forEach((c, i) => {
      if (c.audit !== undefined && out[i]?.applied === true) audits.push(c.audit);
    });
    return out;
  }

  /**
   * Runs one transaction, durable (flushed to disk before it returns) unless
   * `relaxed`. SQLite's flush comes with the connection's release (wal-sync.ts), so
   * the relaxed transaction holds the connection to waive it; PostgreSQL sets it
   * per transaction.
   */
  function transact<T>(relaxed: boolean, work: (trx: Trx) => Promise<T>): Promise<T> {
    if (isPg) {
      return db.transaction().execute(async (trx) => {
        if (relaxed) await sql`set local synchronous_commit to off`.execute(trx);
        return work(trx);
      });
    }
    const skipFlush = deps.skipSqliteFlush;
    if (!relaxed || skipFlush === undefined) return db.transaction().execute(work);
    return db.connection().execute(async (conn) => {
      const result = await conn.transaction().execute(work);
      skipFlush();
      return result;
    });
  }

  /** Claims pending tasks inside `trx`; their events and audit records join `events` and `audits`. */
  async function claimIn(trx: Trx, req: ClaimRequest, events: TaskEventsTable[], audits: AuditInput[]): Promise<ClaimedTask[]> {
    if (req.limit <= 0) return [];
    const pick = async (localOnly: boolean) => {
      let candidates = trx
        .selectFrom('tasks')
        .select(['id', 'agent_type'])
        .where('state', 'in', [...req.transition.from])
        .where('run_after', '<=', req.now)
        .orderBy('created_at')
        .limit(req.limit);
      if (localOnly) candidates = candidates.where('agent_type', 'not like', '%@%');
      if (isPg) candidates = candidates.forUpdate().skipLocked();
      return candidates.execute();
    };
    const accepts = req.accepts;
    let idRows = await pick(false);
    if (accepts !== undefined) {
      const taken = idRows.filter((r) => accepts(r.agent_type));
      // Tasks left to other nodes could fill every slot: look again past them, at tasks any node runs.
      if (taken.length < idRows.length && idRows.length === req.limit) {
        const seen = new Set(taken.map((r) => r.id));
        for (const r of await pick(true)) if (taken.length < req.limit && !seen.has(r.id)) taken.push(r);
      }
      idRows = taken;
    }
    if (idRows.length === 0) return [];
    const rows = await trx
      .updateTable('tasks')
      .set((eb) => ({
        state: req.transition.to,
        lease_owner: req.owner,
        lease_expires_at: req.now + req.leaseMs,
        lease_epoch: eb('lease_epoch', '+', 1),
        attempt: eb('attempt', '+', 1),
        last_seq: eb('last_seq', '+', 1),
        // A parameter, not a literal: the statement's text stays the same, so its prepared form is reused.
        started_at: eb.fn.coalesce('started_at', eb.val(req.now)),
        updated_at: req.now,
      }))
      .where(
        'id',
        'in',
        idRows.map((r) => r.id),
      )
      .where('state', 'in', [...req.transition.from])
      .returningAll()
      .execute();
    const claimed: ClaimedTask[] = [];
    for (const row of rows) {
      const task = rowToTask(row);
      const d = req.describe(task);
      const event = eventAfter(task, d.event, req.now);
      events.push(eventToRow(event));
      if (d.audit !== undefined) audits.push(d.audit);
      claimed.push({ task, event });
    }
    return claimed;
  }

  return {
    async commit(batch: CommitBatch): Promise<CommitResult> {
      return transact(isProgressOnly(batch), async (trx) => {
        const events: TaskEventsTable[] = [];
        const audits: AuditInput[] = [];
        const creates = batch.creates.length > 0 ? await createTasks(trx, batch, events, audits) : [];
        const changes = await applyChanges(trx, batch, events, audits);
        audits.push(...batch.audits);
        const claimed = batch.claim !== undefined ? await claimIn(trx, batch.claim, events, audits) : undefined;
        await insertEvents(trx, events);
        await appendAudit(trx, audits, batch.now);
        if (deps.notifyChanged !== undefined) {
          const changed = changes.flatMap((c) => (c.applied ? [c.task.id] : []));
          for (const c of claimed ?? []) changed.push(c.task.id);
          if (changed.length > 0) await deps.notifyChanged(trx, changed);
        }
        return claimed !== undefined ? { creates, changes, claimed } : { creates, changes };
      });
    },

    async renewLeases(owner: string, leases: readonly LeaseRef[], expiresAt: number) {
      if (leases.length === 0) return [];
      // A renewal lost to a power cut only makes the lease end sooner: no flush needed.
      return transact(true, async (trx) => {
        const kept = new Set<string>();
        for (let i = 0; i < leases.length; i += ROWS_PER_INSERT) {
          const values = sql.join(
            leases.slice(i, i + ROWS_PER_INSERT).map((l) => sql`(${l.taskId}, cast(${l.epoch} as integer))`),
          );
          // One statement for all leases; updated_at stays: a renewal is not a change of the task.
          const res = await sql<{ id: string }>`
            with v(v_id, v_epoch) as (values ${values})
            update tasks set lease_expires_at = ${expiresAt}
            from v
            where tasks.id = v.v_id and tasks.lease_epoch = v.v_epoch and tasks.lease_owner = ${owner}
              and tasks.state in (${sql.join([...LEASED_STATES])})
            returning id`.execute(trx);
          for (const r of res.rows) kept.add(r.id);
        }
        return leases.filter((l) => !kept.has(l.taskId)).map((l) => l.taskId);
      });
    },

    ...createKyselyTaskQueries(db),
  };
}


