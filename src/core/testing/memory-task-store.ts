/**
 * An in-memory TaskStore and AuditStore with the semantics of the Kysely store
 * (store/kysely-task-store.ts): idempotency keys per owner, claims with lease
 * owner, expiry and epoch, epoch- and state-fenced changes, gapless per-task event
 * sequence numbers, a hash-chained audit log and keyset cursors. It exists so
 * engine tests run in one process turn, with no database and no IO; the store
 * contract suite (test/store.test.ts) runs on it as on SQLite and PostgreSQL.
 * Every method is one "transaction": it stages its writes and applies them only
 * if nothing threw, and hands out copies so callers never share its state.
 */
import { AUDIT_GENESIS_HASH, type AuditFilter, type AuditInput, type AuditRecord } from '../domain/audit.ts';
import { SwitchboardError } from '../domain/errors.ts';
import type { TaskEvent } from '../domain/event.ts';
import type { Page } from '../domain/page.ts';
import { TaskStates } from '../domain/task-states.ts';
import type { Task, TaskFilter } from '../domain/task.ts';
import { LEASED_STATES } from '../domain/transitions.ts';
import type { AuditHasher } from '../ports/audit-hasher.ts';
import type { AuditStore } from '../ports/audit-store.ts';
import type { Ids } from '../ports/ids.ts';
import type { ChangeOutcome, ClaimRequest, ClaimedTask, CommitBatch, CommitResult, CreateOutcome, EventInput, LeaseRef, TaskChange, TaskStore } from '../ports/task-store.ts';

export interface MemoryTaskStoreDeps {
  /** Event ids of audit records (default: a counter). */
  readonly ids?: Ids;
  /** The audit chain hash (default: a cheap non-cryptographic stand-in; pass the real one to verify chains). */
  readonly hashAudit?: AuditHasher;
}

export type MemoryTaskStore = TaskStore & AuditStore;

/** FNV-1a over the record's JSON, widened to 64 hex digits: stable, fast, not tamper-evident. */
function cheapHash(record: Omit<AuditRecord, 'hash'>): string {
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify(record)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}

function counterIds(): Ids {
  let n = 0;
  return { uuid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` };
}

/** True when `value` is absent from the filter or equals it. */
const matches = <T>(wanted: T | undefined, value: T): boolean => wanted === undefined || wanted === value;

/** base64url of UTF-8 text, without Node's Buffer (core stays free of node:*). */
function toBase64Url(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Reads a cursor in the SQL store's format (`createdAt:id` or `seq:N`, base64url):
 * `[number, rest]`, or VALIDATION_FAILED for one this store did not issue.
 */
function decodeCursor(text: string, pattern: RegExp): [number, string] {
  let raw = '';
  try {
    raw = new TextDecoder().decode(Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
  } catch {
    // not base64: refused below
  }
  const m = pattern.exec(raw);
  if (m === null || !Number.isSafeInteger(Number(m[1]))) throw new SwitchboardError('VALIDATION_FAILED', 'The cursor is not valid', { field: 'cursor' });
  return [Number(m[1]), m[2] ?? ''];
}

/** The event a just-applied change produced: it takes the task's new lastSeq and state. */
function eventAfter(task: Task, input: EventInput, now: number): TaskEvent {
  const { message = null, progress = null, data = null } = structuredClone(input);
  return { taskId: task.id, seq: task.lastSeq, type: input.type, state: task.state, message, progress, data, createdAt: now };
}

const copy = <T>(value: T): T => structuredClone(value);

export function createMemoryTaskStore(deps: MemoryTaskStoreDeps = {}): MemoryTaskStore {
  const ids = deps.ids ?? counterIds();
  const hashAudit = deps.hashAudit ?? cheapHash;
  const tasks = new Map<string, Task>();
  const events = new Map<string, TaskEvent[]>();
  /** Owner and idempotency key → task id: the unique index of the SQL schema. */
  const keys = new Map<string, string>();
  const keyOf = (t: Task): string | undefined => (t.idempotencyKey === null ? undefined : `${t.ownerId}\u0000${t.idempotencyKey}`);
  const audit: AuditRecord[] = [];
  let head = { seq: 0, hash: AUDIT_GENESIS_HASH };

  /** Writes of one transaction, visible to its own reads, applied by `apply` only. */
  function begin() {
    const staged = new Map<string, Task>();
    const newEvents: TaskEvent[] = [];
    const newAudits: AuditInput[] = [];
    return {
      read: (id: string): Task | undefined => staged.get(id) ?? tasks.get(id),
      write: (task: Task): void => void staged.set(task.id, task),
      event: (e: TaskEvent): void => void newEvents.push(e),
      audit: (a: AuditInput): void => void newAudits.push(a),
      byKey(task: Task): Task | undefined {
        const key = keyOf(task);
        if (key === undefined) return undefined;
        const id = keys.get(key) ?? [...staged.values()].find((t) => keyOf(t) === key)?.id;
        return id === undefined ? undefined : (staged.get(id) ?? tasks.get(id));
      },
      apply(now: number): void {
        const chained: AuditRecord[] = [];
        let { seq, hash } = head;
        for (const input of newAudits) {
          seq += 1;
          const unchained = { ...copy(input), seq, eventId: ids.uuid(), timestamp: now, prevHash: hash };
          const record: AuditRecord = { ...unchained, hash: hashAudit(unchained) };
          chained.push(record);
          hash = record.hash;
        }
        // Nothing below can throw: from here on the transaction commits as a whole.
        for (const t of staged.values()) {
          tasks.set(t.id, t);
          const key = keyOf(t);
          if (key !== undefined) keys.set(key, t.id);
        }
        for (const e of newEvents) {
          let list = events.get(e.taskId);
          if (list === undefined) events.set(e.taskId, (list = []));
          list.push(e);
        }
        audit.push(...chained);
        head = { seq, hash };
      },
    };
  }
  type Trx = ReturnType<typeof begin>;

  function create(trx: Trx, record: CommitBatch['creates'][number], now: number): CreateOutcome {
    const { task } = record;
    const existing = trx.byKey(task);
    if (existing !== undefined) return { kind: 'existing', task: copy(existing) };
    if (trx.read(task.id) !== undefined) throw new Error(`duplicate task id ${task.id}`);
    const stored = copy(task);
    trx.write(stored);
    const event: TaskEvent = { taskId: task.id, seq: 1, type: 'state_change', state: task.state, message: 'Task submitted', progress: null, data: null, createdAt: now };
    trx.event(event);
    trx.audit(record.audit);
    return { kind: 'created', task: copy(stored), event: copy(event) };
  }

  function change(trx: Trx, c: TaskChange, now: number): ChangeOutcome {
    const current = trx.read(c.taskId);
    const states = c.transition?.from ?? c.inStates;
    if (current === undefined || (c.epoch !== undefined && current.leaseEpoch !== c.epoch) || (states !== undefined && !states.includes(current.state))) {
      return { applied: false, task: current === undefined ? undefined : copy(current) };
    }
    const set = c.set ?? {};
    const pick = <K extends keyof Task & keyof typeof set>(k: K): Partial<Task> => (set[k] === undefined ? {} : { [k]: copy(set[k]) });
    const next: Task = {
      ...current,
      lastSeq: current.lastSeq + 1,
      updatedAt: now,
      ...(c.transition !== undefined ? { state: c.transition.to } : {}),
      ...pick('result'), ...pick('error'), ...pick('metadata'), ...pick('progress'), ...pick('waiting'),
      ...pick('attempt'), ...pick('runAfter'), ...pick('startedAt'), ...pick('finishedAt'),
      ...(set.releaseLease ? { leaseOwner: null, leaseExpiresAt: null, leaseEpoch: current.leaseEpoch + 1 } : {}),
    };
    trx.write(next);
    const event = eventAfter(next, c.event, now);
    trx.event(event);
    if (c.audit !== undefined) trx.audit(c.audit);
    return { applied: true, task: copy(next), event: copy(event) };
  }

  /** Claims due pending tasks, oldest first (its own write set, applied at once). */
  function claimTasks(req: ClaimRequest): ClaimedTask[] {
    if (req.limit <= 0) return [];
    const trx = begin();
    const candidates = [...tasks.values()]
      .filter((t) => req.transition.from.includes(t.state) && t.runAfter <= req.now)
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, req.limit);
    const claimed: ClaimedTask[] = [];
    for (const t of candidates) {
      const task: Task = {
        ...t,
        state: req.transition.to,
        leaseOwner: req.owner,
        leaseExpiresAt: req.now + req.leaseMs,
        leaseEpoch: t.leaseEpoch + 1,
        attempt: t.attempt + 1,
        lastSeq: t.lastSeq + 1,
        startedAt: t.startedAt ?? req.now,
        updatedAt: req.now,
      };
      trx.write(task);
      const d = req.describe(copy(task));
      const event = eventAfter(task, d.event, req.now);
      trx.event(event);
      if (d.audit !== undefined) trx.audit(d.audit);
      claimed.push({ task: copy(task), event: copy(event) });
    }
    trx.apply(req.now);
    return claimed;
  }

  const store: MemoryTaskStore = {
    async commit(batch: CommitBatch): Promise<CommitResult> {
      const trx = begin();
      const creates = batch.creates.map((r) => create(trx, r, batch.now));
      const changes = batch.changes.map((c) => change(trx, c, batch.now));
      for (const a of batch.audits) trx.audit(a);
      trx.apply(batch.now);
      // In memory nothing can fail between the two: one transaction as far as anyone can tell.
      if (batch.claim !== undefined) return { creates, changes, claimed: claimTasks(batch.claim) };
      return { creates, changes };
    },

    async renewLeases(owner: string, leases: readonly LeaseRef[], expiresAt: number): Promise<readonly string[]> {
      const kept = new Set<string>();
      for (const l of leases) {
        const t = tasks.get(l.taskId);
        if (t === undefined || t.leaseEpoch !== l.epoch || t.leaseOwner !== owner || !LEASED_STATES.includes(t.state)) continue;
        // updatedAt stays: a renewal is not a change of the task.
        tasks.set(t.id, { ...t, leaseExpiresAt: expiresAt });
        kept.add(t.id);
      }
      return leases.filter((l) => !kept.has(l.taskId)).map((l) => l.taskId);
    },

    async findOrphans(now: number, restartedOwner: string | undefined, limit: number): Promise<readonly Task[]> {
      return [...tasks.values()]
        .filter(
          (t) =>
            LEASED_STATES.includes(t.state) &&
            (t.leaseExpiresAt === null || t.leaseExpiresAt < now || (restartedOwner !== undefined && t.leaseOwner === restartedOwner)),
        )
        .slice(0, limit)
        .map(copy);
    },

    async findTask(id: string): Promise<Task | undefined> {
      const t = tasks.get(id);
      return t === undefined ? undefined : copy(t);
    },

    async listTasks(filter: TaskFilter): Promise<Page<Task>> {
      const [createdAt, id] = filter.cursor === undefined ? [] : decodeCursor(filter.cursor, /^(-?\d+):(.+)$/s);
      const cursor = createdAt === undefined || id === undefined ? undefined : { createdAt, id };
      const rows = [...tasks.values()]
        .filter(
          (t) =>
            (filter.states === undefined || filter.states.length === 0 || filter.states.includes(t.state)) &&
            matches(filter.agentType, t.agentType) && matches(filter.ownerId, t.ownerId) &&
            matches(filter.projectId, t.projectId) && matches(filter.sessionId, t.sessionId) &&
            (cursor === undefined || t.createdAt < cursor.createdAt || (t.createdAt === cursor.createdAt && t.id < cursor.id)),
        )
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      const items = rows.slice(0, filter.limit).map(copy);
      const last = items[items.length - 1];
      return rows.length > filter.limit && last !== undefined
        ? { items, nextCursor: toBase64Url(`${last.createdAt}:${last.id}`) }
        : { items };
    },

    async listEvents(taskId: string, afterSeq: number, limit: number): Promise<readonly TaskEvent[]> {
      return (events.get(taskId) ?? []).filter((e) => e.seq > afterSeq).slice(0, limit).map(copy);
    },

    async nextRunAfter(now: number): Promise<number | undefined> {
      let next: number | undefined;
      for (const t of tasks.values()) {
        if (t.state === TaskStates.PENDING && t.runAfter > now && (next === undefined || t.runAfter < next)) next = t.runAfter;
      }
      return next;
    },

    async listAudit(afterSeq: number, limit: number): Promise<readonly AuditRecord[]> {
      return audit.filter((r) => r.seq > afterSeq).slice(0, limit).map(copy);
    },

    async queryAudit(filter: AuditFilter): Promise<Page<AuditRecord>> {
      const before = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, /^seq:(\d{1,15})$/)[0];
      const rows = audit
        .filter(
          (r) =>
            matches(filter.userId, r.userId) && matches(filter.sessionId, r.sessionId) && matches(filter.eventType, r.eventType) &&
            matches(filter.resourceType, r.resourceType) && matches(filter.resourceId, r.resourceId) && matches(filter.status, r.status) &&
            (filter.from === undefined || r.timestamp >= filter.from) &&
            (filter.to === undefined || r.timestamp < filter.to) &&
            (before === undefined || r.seq < before),
        )
        .reverse();
      const items = rows.slice(0, filter.limit).map(copy);
      const last = items[items.length - 1];
      return rows.length > filter.limit && last !== undefined ? { items, nextCursor: toBase64Url(`seq:${last.seq}`) } : { items };
    },

    async auditHead() {
      return { ...head };
    },
  };
  return store;
}
