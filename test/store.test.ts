/** The store's grouped event append and conditional changes, on every database. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { checkStateHistories, openTestStore } from './helpers/test-engine.ts';
import { createMemoryTaskStore } from '../src/core/testing/memory-task-store.ts';
import { hashAuditRecord } from '../src/security/audit-chain.ts';
import { uuidIds } from '../src/app/node-timers.ts';
import type { AuditStore } from '../src/core/ports/audit-store.ts';
import type { TaskStore } from '../src/core/ports/task-store.ts';
import { TaskStates } from '../src/core/domain/task-states.ts';
import type { TaskChange } from '../src/core/ports/task-store.ts';
import type { Task } from '../src/core/domain/task.ts';
import { transition } from '../src/core/domain/transitions.ts';

const CLAIM = transition({ state: 'pending' }, 'running', 'claim');

function pendingTask(id: string, now: number): Task {
  return {
    id, executionUuid: crypto.randomUUID(), agentType: 'echo', prompt: id, context: { k: 1 },
    sessionId: null, projectId: null, boardTaskId: null, ownerId: 'u1', idempotencyKey: null,
    state: TaskStates.PENDING, attempt: 0, maxAttempts: 1, result: null, error: null, metadata: {},
    progress: null, waiting: null, lastSeq: 1, leaseOwner: null, leaseExpiresAt: null, leaseEpoch: 0,
    runAfter: now, createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
  };
}

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
      const claimed = await store.claim({ owner: 'n', limit: 3, now: Date.now() + 1000, leaseMs: 60_000, transition: CLAIM, describe: () => ({ event: { type: 'state_change' } }) });
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
  });
}
