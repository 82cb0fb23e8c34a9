/**
 * The TaskStore and AuditStore contract, on every backend: SQLite, PostgreSQL (when
 * TEST_DATABASE_URL is set) and the in-memory store the engine unit tests use.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { checkStateHistories, claimTasks, openTestStore } from './helpers/test-engine.ts';
import { createMemoryTaskStore } from '../src/core/testing/memory-task-store.ts';
import { hashAuditRecord } from '../src/security/audit/audit-chain.ts';
import { uuidIds } from '../src/app/node-timers.ts';
import { verifyAuditChain } from '../src/security/audit/audit-chain.ts';
import type { AuditStore } from '../src/core/ports/audit-store.ts';
import type { TaskChange, TaskStore } from '../src/core/ports/task-store.ts';
import type { AuditInput } from '../src/core/domain/audit.ts';
import { isSwitchboardError } from '../src/core/domain/errors.ts';
import { TaskStates } from '../src/core/domain/task-states.ts';
import type { Task } from '../src/core/domain/task.ts';
import { transition } from '../src/core/domain/transitions.ts';

const CLAIM = transition({ state: 'pending' }, 'running', 'claim');

function pendingTask(id: string, now: number, overrides: Partial<Task> = {}): Task {
  return {
    ...overrides,
    id, executionUuid: crypto.randomUUID(), agentType: 'echo', prompt: id, context: { k: 1 },
    sessionId: null, projectId: null, boardTaskId: null, ownerId: 'u1', idempotencyKey: null,
    state: TaskStates.PENDING, attempt: 0, maxAttempts: 1, result: null, error: null, metadata: {},
    progress: null, waiting: null, lastSeq: 1, leaseOwner: null, leaseExpiresAt: null, leaseEpoch: 0,
    runAfter: now, createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
    ...overrides,
  };
}

const submitted = (taskId: string | null, userId = 'u1'): AuditInput => ({
  eventType: 'task.submitted', userId, sessionId: null, resourceType: 'task', resourceId: taskId, action: 'submit', status: 'success', details: {},
});

const claimEvent = () => ({ event: { type: 'state_change' as const, message: 'claimed' } });

/** Creates pending tasks (one commit) and returns them as stored. */
async function createAll(store: TaskStore, tasks: readonly Task[]): Promise<Task[]> {
  const res = await store.commit({ now: tasks[0]?.createdAt ?? 0, creates: tasks.map((task) => ({ task, audit: submitted(task.id) })), changes: [], audits: [] });
  return res.creates.map((c) => c.task);
}

const T0 = 1_900_000_000_000;

/** A fresh, empty store of one backend; `close` checks every task's history, then drops it. */
interface Backend {
  readonly name: string;
  open(): Promise<{ readonly store: TaskStore & AuditStore; close(): Promise<void> }>;
}

const BACKENDS: readonly Backend[] = [
  ...DIALECTS.map((dialect) => ({
    name: dialect,
    async open() {
      const db = makeTestDatabase(dialect);
      const opened = await openTestStore(db);
      return {
        store: opened.tasks,
        async close() {
          await opened.close();
          await db.drop();
        },
      };
    },
  })),
  {
    name: 'memory',
    async open() {
      const store = createMemoryTaskStore({ ids: uuidIds, hashAudit: hashAuditRecord });
      return { store, close: () => checkStateHistories({ tasks: store }) };
    },
  },
];

for (const backend of BACKENDS) {
  describe(`store on ${backend.name}`, () => {
    it('appends many event-only changes in one commit with contiguous sequence numbers, refusing stale epochs', async () => {
      const opened = await backend.open();
      const store = opened.store;
      const now = Date.now();
      const audit = { eventType: 'task.submitted' as const, userId: 'u1', sessionId: null, resourceType: 'task', resourceId: null, action: 'submit', status: 'success' as const, details: {} };
      await store.commit({ now, creates: ['a', 'b', 'c'].map((p) => ({ task: pendingTask(crypto.randomUUID(), now + p.charCodeAt(0)), audit })), changes: [], audits: [] });
      const claimed = await claimTasks(store, { owner: 'n', limit: 3, now: Date.now() + 1000, leaseMs: 60_000, transition: CLAIM, describe: () => ({ event: { type: 'state_change' } }) });
      assert.equal(claimed.length, 3);
      const [a, b, c] = claimed.map((x) => x.task);
      assert.ok(a && b && c);
      const ev = (t: Task, i: number, epoch = t.leaseEpoch): TaskChange => ({
        taskId: t.id,
        epoch,
        inStates: ['running'],
        ...(i % 2 === 0 ? { set: { progress: i } } : {}),
        event: { type: i % 2 === 0 ? 'progress' : 'log', message: `${t.prompt}-${i}`, progress: i % 2 === 0 ? i : null },
      });
      const changes: TaskChange[] = [ev(a, 0), ev(b, 0), ev(a, 1), ev(c, 0, c.leaseEpoch - 1), ev(a, 2), ev(b, 1)];
      const res = await store.commit({ now: Date.now(), creates: [], changes, audits: [] });
      assert.deepEqual(res.changes.map((o) => o.applied), [true, true, true, false, true, true]);
      const seqs = res.changes.map((o) => (o.applied ? o.event.seq : null));
      assert.deepEqual(seqs, [3, 3, 4, null, 5, 4]);
      const aEvents = await store.listEvents(a.id, 0, 100);
      assert.deepEqual(aEvents.map((e) => e.seq), [1, 2, 3, 4, 5]);
      assert.deepEqual(aEvents.slice(2).map((e) => e.message), [`${a.prompt}-0`, `${a.prompt}-1`, `${a.prompt}-2`]);
      const aNow = await store.findTask(a.id);
      assert.equal(aNow?.progress, 2);
      assert.equal(aNow?.lastSeq, 5);
      assert.deepEqual(aNow?.context, { k: 1 });
      const cNow = await store.findTask(c.id);
      assert.equal(cNow?.lastSeq, 2, 'a stale epoch appends nothing');
      await opened.close();
    });
    it('keeps one task per owner and idempotency key, within a batch and across batches', async () => {
      const { store, close } = await backend.open();
      const id = () => crypto.randomUUID();
      const first = pendingTask(id(), T0, { idempotencyKey: 'k' });
      const res = await store.commit({
        now: T0,
        creates: [
          { task: first, audit: submitted(first.id) },
          { task: pendingTask(id(), T0, { idempotencyKey: 'k', prompt: 'again' }), audit: submitted(null) },
          { task: pendingTask(id(), T0, { idempotencyKey: 'k', ownerId: 'u2' }), audit: submitted(null, 'u2') },
          { task: pendingTask(id(), T0), audit: submitted(null) },
          { task: pendingTask(id(), T0), audit: submitted(null) },
        ],
        changes: [],
        audits: [],
      });
      assert.deepEqual(res.creates.map((c) => c.kind), ['created', 'existing', 'created', 'created', 'created'], 'null keys never collide');
      assert.equal(res.creates[1]?.task.id, first.id);
      assert.equal(res.creates[1]?.task.prompt, first.prompt);
      const created = res.creates[0];
      assert.ok(created?.kind === 'created');
      assert.deepEqual([created.event.seq, created.event.state, created.event.message, created.event.createdAt], [1, 'pending', 'Task submitted', T0]);
      const later = await store.commit({ now: T0 + 5, creates: [{ task: pendingTask(id(), T0 + 5, { idempotencyKey: 'k' }), audit: submitted(null) }], changes: [], audits: [] });
      assert.deepEqual(later.creates.map((c) => [c.kind, c.task.id]), [['existing', first.id]]);
      const all = await store.listTasks({ limit: 100 });
      assert.equal(all.items.length, 4);
      assert.equal((await store.auditHead()).seq, 4, 'only created tasks are audited');
      await close();
    });

    it('claims the oldest due pending tasks up to the limit, with a fresh lease, epoch and attempt', async () => {
      const { store, close } = await backend.open();
      const [a, b, c, later] = await createAll(store, [
        pendingTask(crypto.randomUUID(), T0 + 2),
        pendingTask(crypto.randomUUID(), T0 + 1),
        pendingTask(crypto.randomUUID(), T0 + 3),
        pendingTask(crypto.randomUUID(), T0, { runAfter: T0 + 60_000 }),
      ]);
      assert.ok(a && b && c && later);
      assert.deepEqual(await claimTasks(store, { owner: 'n1', limit: 0, now: T0 + 10, leaseMs: 1000, transition: CLAIM, describe: claimEvent }), []);
      const claimed = await claimTasks(store, { owner: 'n1', limit: 2, now: T0 + 10, leaseMs: 1000, transition: CLAIM, describe: (t) => ({ event: { type: 'state_change', message: `attempt ${t.attempt}` }, audit: submitted(t.id) }) });
      assert.deepEqual(claimed.map((x) => x.task.id).sort(), [a.id, b.id].sort(), 'the two oldest that are due');
      for (const { task, event } of claimed) {
        assert.deepEqual(
          [task.state, task.leaseOwner, task.leaseExpiresAt, task.leaseEpoch, task.attempt, task.lastSeq, task.startedAt, task.updatedAt],
          ['running', 'n1', T0 + 1010, 1, 1, 2, T0 + 10, T0 + 10],
        );
        assert.deepEqual([event.seq, event.state, event.message, event.createdAt], [2, 'running', 'attempt 1', T0 + 10]);
      }
      const next = await claimTasks(store, { owner: 'n2', limit: 5, now: T0 + 10, leaseMs: 1000, transition: CLAIM, describe: claimEvent });
      assert.deepEqual(next.map((x) => x.task.id), [c.id], 'claimed tasks and tasks not yet due are not claimed');
      assert.equal(await store.nextRunAfter(T0 + 10), T0 + 60_000);
      assert.equal(await store.nextRunAfter(T0 + 60_000), undefined);
      assert.equal((await store.auditHead()).seq, 6);
      await close();
    });

    it('claims in a commit, in its transaction, after its creates: the tasks it creates can be claimed at once', async () => {
      const { store, close } = await backend.open();
      const [old] = await createAll(store, [pendingTask(crypto.randomUUID(), T0)]);
      assert.ok(old);
      const fresh = pendingTask(crypto.randomUUID(), T0 + 5);
      const res = await store.commit({
        now: T0 + 5,
        creates: [{ task: fresh, audit: submitted(fresh.id) }],
        changes: [],
        audits: [],
        claim: { owner: 'n1', limit: 5, now: T0 + 5, leaseMs: 1000, transition: CLAIM, describe: (t) => ({ event: { type: 'state_change', message: 'claimed' }, audit: submitted(t.id) }) },
      });
      assert.equal(res.creates[0]?.kind, 'created');
      assert.deepEqual(res.claimed?.map((c) => c.task.id), [old.id, fresh.id], 'oldest first, the new one included');
      for (const { task, event } of res.claimed ?? []) {
        assert.deepEqual([task.state, task.leaseOwner, task.lastSeq, event.seq, event.state], ['running', 'n1', 2, 2, 'running']);
        assert.deepEqual((await store.listEvents(task.id, 0, 10)).map((e) => [e.seq, e.state]), [[1, 'pending'], [2, 'running']]);
      }
      assert.equal((await store.auditHead()).seq, 4, 'two submits and two claims');
      const none = await store.commit({ now: T0 + 6, creates: [], changes: [], audits: [], claim: { owner: 'n2', limit: 5, now: T0 + 6, leaseMs: 1000, transition: CLAIM, describe: claimEvent } });
      assert.deepEqual(none.claimed, []);
      const without = await store.commit({ now: T0 + 7, creates: [], changes: [], audits: [] });
      assert.equal(without.claimed, undefined);
      await close();
    });

    it('applies a change only in its from-states and at its epoch, and releasing a lease bumps the epoch', async () => {
      const { store, close } = await backend.open();
      await createAll(store, [pendingTask(crypto.randomUUID(), T0)]);
      const [claimed] = await claimTasks(store, { owner: 'n1', limit: 1, now: T0, leaseMs: 1000, transition: CLAIM, describe: claimEvent });
      assert.ok(claimed);
      const running = claimed.task;
      const commitOne = (change: TaskChange, now = T0 + 1) => store.commit({ now, creates: [], changes: [change], audits: [] }).then((r) => r.changes[0]);
      const waiting = transition(running, 'waiting', 'wait');
      const stale = await commitOne({ taskId: running.id, epoch: running.leaseEpoch - 1, transition: waiting, event: { type: 'state_change' } });
      assert.deepEqual([stale?.applied, stale?.task?.state, stale?.task?.lastSeq], [false, 'running', 2]);
      const missing = await commitOne({ taskId: crypto.randomUUID(), transition: waiting, event: { type: 'state_change' } });
      assert.deepEqual(missing, { applied: false, task: undefined });
      const asked = await commitOne({
        taskId: running.id, epoch: running.leaseEpoch, transition: waiting,
        set: { waiting: { kind: 'question', question: 'why?' }, metadata: { a: [1, { b: null }] } },
        event: { type: 'state_change', message: 'why?', data: { question: 'why?' } },
        audit: submitted(running.id),
      });
      assert.ok(asked?.applied);
      assert.deepEqual([asked.task.state, asked.task.lastSeq, asked.task.updatedAt, asked.event.seq, asked.event.state], ['waiting', 3, T0 + 1, 3, 'waiting']);
      assert.deepEqual(asked.task.waiting, { kind: 'question', question: 'why?' });
      assert.deepEqual(asked.event.data, { question: 'why?' });
      const notInState = await commitOne({ taskId: running.id, epoch: running.leaseEpoch, inStates: ['running'], event: { type: 'log', message: 'dropped' } });
      assert.equal(notInState?.applied, false);
      const done = await commitOne(
        {
          taskId: running.id, epoch: running.leaseEpoch, transition: transition(asked.task, 'failed', 'fail'),
          set: { error: 'boom', result: { partial: [1, 2] }, finishedAt: T0 + 2, waiting: null, releaseLease: true },
          event: { type: 'state_change', message: 'boom' },
        },
        T0 + 2,
      );
      assert.ok(done?.applied);
      assert.deepEqual(
        [done.task.state, done.task.leaseOwner, done.task.leaseExpiresAt, done.task.leaseEpoch, done.task.error, done.task.waiting, done.task.finishedAt],
        ['failed', null, null, running.leaseEpoch + 1, 'boom', null, T0 + 2],
      );
      assert.deepEqual(done.task.result, { partial: [1, 2] });
      const found = await store.findTask(running.id);
      assert.deepEqual(found, done.task);
      assert.deepEqual((await store.listEvents(running.id, 0, 100)).map((e) => [e.seq, e.state]), [[1, 'pending'], [2, 'running'], [3, 'waiting'], [4, 'failed']]);
      assert.deepEqual((await store.listEvents(running.id, 1, 2)).map((e) => e.seq), [2, 3]);
      await close();
    });

    it('applies many changes in one commit, each with its own values and fence, audited in the changes\' order', async () => {
      const { store, close } = await backend.open();
      await createAll(store, Array.from({ length: 6 }, (_, i) => pendingTask(crypto.randomUUID(), T0 + i)));
      const claimed = await claimTasks(store, { owner: 'n1', limit: 6, now: T0 + 10, leaseMs: 1000, transition: CLAIM, describe: claimEvent });
      const running = claimed.map((c) => c.task).sort((x, y) => x.createdAt - y.createdAt);
      const [a, b, c, d, e, f] = running;
      assert.ok(a && b && c && d && e && f);
      const complete = (t: Task, epoch = t.leaseEpoch): TaskChange => ({
        taskId: t.id, epoch, transition: transition(t, 'completed', 'complete'),
        set: { result: { of: t.prompt }, progress: 100, finishedAt: T0 + 20, releaseLease: true },
        event: { type: 'state_change', message: `done ${t.prompt}` }, audit: { ...submitted(t.id), action: 'complete' },
      });
      const changes: TaskChange[] = [
        complete(a),
        { taskId: e.id, epoch: e.leaseEpoch, transition: transition(e, 'failed', 'fail'), set: { error: 'boom', finishedAt: T0 + 20, releaseLease: true }, event: { type: 'state_change' }, audit: { ...submitted(e.id), action: 'fail' } },
        complete(b, b.leaseEpoch - 1),
        complete(c),
        // Two changes of one task in the batch: applied one after the other.
        { taskId: d.id, epoch: d.leaseEpoch, inStates: ['running'], set: { progress: 50 }, event: { type: 'progress', progress: 50 } },
        complete(d),
        complete(f),
      ];
      const res = await store.commit({ now: T0 + 20, creates: [], changes, audits: [] });
      assert.deepEqual(res.changes.map((o) => o.applied), [true, true, false, true, true, true, true]);
      for (const t of [a, c, d, f]) {
        const done = await store.findTask(t.id);
        assert.deepEqual([done?.state, done?.result, done?.progress, done?.leaseOwner, done?.leaseEpoch], ['completed', { of: t.prompt }, 100, null, t.leaseEpoch + 1]);
      }
      const failed = await store.findTask(e.id);
      assert.deepEqual([failed?.state, failed?.error, failed?.result], ['failed', 'boom', null]);
      const refused = res.changes[2];
      assert.deepEqual([refused?.applied, refused?.task?.state, refused?.task?.lastSeq], [false, 'running', 2]);
      assert.deepEqual((await store.listEvents(d.id, 0, 10)).map((x) => [x.seq, x.type, x.state]), [[1, 'state_change', 'pending'], [2, 'state_change', 'running'], [3, 'progress', 'running'], [4, 'state_change', 'completed']]);
      const completedEvent = res.changes[6];
      assert.ok(completedEvent?.applied);
      assert.deepEqual([completedEvent.event.seq, completedEvent.event.state, completedEvent.event.message], [3, 'completed', `done ${f.prompt}`]);
      const audited = (await store.listAudit(0, 100)).slice(-5).map((r) => [r.action, r.resourceId]);
      assert.deepEqual(audited, [['complete', a.id], ['fail', e.id], ['complete', c.id], ['complete', d.id], ['complete', f.id]]);
      await close();
    });

    it('writes nothing of a batch that fails', async () => {
      const { store, close } = await backend.open();
      const [kept] = await createAll(store, [pendingTask(crypto.randomUUID(), T0)]);
      assert.ok(kept);
      const fresh = pendingTask(crypto.randomUUID(), T0 + 1);
      const head = await store.auditHead();
      await assert.rejects(
        store.commit({
          now: T0 + 1,
          creates: [{ task: fresh, audit: submitted(fresh.id) }, { task: pendingTask(kept.id, T0 + 1), audit: submitted(kept.id) }],
          changes: [{ taskId: kept.id, transition: transition(kept, 'cancelled', 'cancel'), event: { type: 'state_change' }, audit: submitted(kept.id) }],
          audits: [submitted(null)],
        }),
      );
      assert.equal(await store.findTask(fresh.id), undefined);
      assert.equal((await store.findTask(kept.id))?.state, 'pending');
      assert.deepEqual(await store.auditHead(), head);
      assert.equal((await store.listEvents(kept.id, 0, 100)).length, 1);
      await close();
    });

    it('renews only the leases still held, and finds orphans by expiry or by a restarted owner', async () => {
      const { store, close } = await backend.open();
      await createAll(store, [0, 1, 2, 3].map((i) => pendingTask(crypto.randomUUID(), T0 + i)));
      const claimed = (await claimTasks(store, { owner: 'n1', limit: 4, now: T0 + 10, leaseMs: 1000, transition: CLAIM, describe: claimEvent })).map((c) => c.task);
      assert.equal(claimed.length, 4);
      const [a, b, c, d] = claimed.sort((x, y) => x.createdAt - y.createdAt);
      assert.ok(a && b && c && d);
      await store.commit({ now: T0 + 20, creates: [], changes: [{ taskId: d.id, epoch: d.leaseEpoch, transition: transition(d, 'completed', 'complete'), set: { releaseLease: true }, event: { type: 'state_change' } }], audits: [] });
      const unknown = crypto.randomUUID();
      const lost = await store.renewLeases('n1', [
        { taskId: a.id, epoch: a.leaseEpoch },
        { taskId: b.id, epoch: b.leaseEpoch + 1 },
        { taskId: d.id, epoch: d.leaseEpoch },
        { taskId: unknown, epoch: 1 },
      ], T0 + 5000);
      assert.deepEqual([...lost].sort(), [b.id, d.id, unknown].sort());
      assert.deepEqual(await store.renewLeases('n2', [{ taskId: c.id, epoch: c.leaseEpoch }], T0 + 5000), [c.id], 'another owner renews nothing');
      const renewed = await store.findTask(a.id);
      assert.deepEqual([renewed?.leaseExpiresAt, renewed?.updatedAt], [T0 + 5000, T0 + 10], 'a renewal is not a change of the task');
      const ids = async (now: number, owner?: string) => (await store.findOrphans(now, owner, 100)).map((t) => t.id).sort();
      assert.deepEqual(await ids(T0 + 1010), [], 'a lease is held through its last millisecond');
      assert.deepEqual(await ids(T0 + 1011), [b.id, c.id].sort());
      assert.deepEqual(await ids(T0 + 11, 'n1'), [a.id, b.id, c.id].sort(), 'a restarted owner gets all its own back, expired or not');
      assert.equal((await store.findOrphans(T0 + 1011, undefined, 1)).length, 1);
      await close();
    });

    it('lists tasks newest first with filters and a keyset cursor', async () => {
      const { store, close } = await backend.open();
      const made = await createAll(store, [
        ...[0, 1, 2, 3, 4].map((i) => pendingTask(crypto.randomUUID(), T0 + i, { agentType: i % 2 === 0 ? 'even' : 'odd' })),
        ...[0, 1, 2].map(() => pendingTask(crypto.randomUUID(), T0 + 2, { ownerId: 'u2', sessionId: 's1', projectId: 'p1' })),
      ]);
      const expected = [...made].sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : -1)).map((t) => t.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listTasks({ limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      assert.deepEqual(seen, expected);
      assert.deepEqual((await store.listTasks({ limit: 10, agentType: 'odd' })).items.map((t) => t.createdAt), [T0 + 3, T0 + 1]);
      assert.equal((await store.listTasks({ limit: 10, ownerId: 'u2', sessionId: 's1', projectId: 'p1' })).items.length, 3);
      assert.equal((await store.listTasks({ limit: 10, states: ['running'] })).items.length, 0);
      assert.equal((await store.listTasks({ limit: 8 })).nextCursor, undefined, 'no cursor after the last page');
      await assert.rejects(store.listTasks({ limit: 3, cursor: 'not-a-cursor' }), (err: unknown) => isSwitchboardError(err) && err.code === 'VALIDATION_FAILED');
      await close();
    });

    it('chains audit records and queries them newest first with filters and a cursor', async () => {
      const { store, close } = await backend.open();
      const records: AuditInput[] = [0, 1, 2, 3, 4].map((i) => ({ ...submitted(`r${i}`, i % 2 === 0 ? 'even' : 'odd'), status: i === 4 ? 'denied' : 'success' }));
      await store.commit({ now: T0, creates: [], changes: [], audits: records.slice(0, 3) });
      await store.commit({ now: T0 + 100, creates: [], changes: [], audits: records.slice(3) });
      const all = await store.listAudit(0, 100);
      assert.deepEqual(all.map((r) => [r.seq, r.resourceId, r.timestamp]), [[1, 'r0', T0], [2, 'r1', T0], [3, 'r2', T0], [4, 'r3', T0 + 100], [5, 'r4', T0 + 100]]);
      assert.deepEqual(all.slice(1).map((r) => r.prevHash), all.slice(0, -1).map((r) => r.hash));
      assert.deepEqual(await store.auditHead(), { seq: 5, hash: all[4]?.hash });
      assert.deepEqual(await verifyAuditChain(store), { ok: true, checked: 5, headHash: all[4]?.hash });
      assert.deepEqual((await store.listAudit(3, 1)).map((r) => r.seq), [4]);
      const first = await store.queryAudit({ limit: 2 });
      assert.deepEqual(first.items.map((r) => r.seq), [5, 4]);
      assert.ok(first.nextCursor !== undefined);
      const second = await store.queryAudit({ limit: 2, cursor: first.nextCursor });
      assert.deepEqual(second.items.map((r) => r.seq), [3, 2]);
      assert.deepEqual((await store.queryAudit({ limit: 10, userId: 'even' })).items.map((r) => r.seq), [5, 3, 1]);
      assert.deepEqual((await store.queryAudit({ limit: 10, status: 'denied' })).items.map((r) => r.seq), [5]);
      assert.deepEqual((await store.queryAudit({ limit: 10, from: T0 + 1 })).items.map((r) => r.seq), [5, 4]);
      assert.deepEqual((await store.queryAudit({ limit: 10, to: T0 + 100, resourceId: 'r1' })).items.map((r) => r.seq), [2]);
      await assert.rejects(store.queryAudit({ limit: 2, cursor: 'bogus' }), (err: unknown) => isSwitchboardError(err) && err.code === 'VALIDATION_FAILED');
      await close();
    });
  });
}
