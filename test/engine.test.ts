/**
 * The engine end to end on real databases: fencing, recovery of lost and restarted
 * nodes, answers through another node, gapless events under load, shutdown. The
 * engine's behaviour case by case (cancel, waiting, retries, concurrency) is in
 * test/unit/engine-core.test.ts, on the in-memory store with a fake clock.
 */
import { isSwitchboardError } from '../src/core/domain/errors.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { adminCaller, claimTasks, openTestStore, recordedChanges, startTestEngine, waitForTaskState } from './helpers/test-engine.ts';
import { createEchoAgent } from '../src/agents/echo/echo-agent.ts';
import { TaskStates } from '../src/core/domain/task-states.ts';
import type { AgentAdapter, AgentRunContext } from '../src/core/ports/agent-adapter.ts';
import type { TaskChange, TaskStore } from '../src/core/ports/task-store.ts';
import { transition } from '../src/core/domain/transitions.ts';

const CLAIM = transition({ state: 'pending' }, 'running', 'claim');

/** An agent whose behaviour each test scripts. */
function scripted(id: string, run: (ctx: AgentRunContext) => Promise<unknown>, maxAttempts = 1): AgentAdapter {
  return {
    info: { agentType: id, name: id, description: 'test agent', capabilities: [], metadata: {} },
    retry: { maxAttempts, backoffMs: 10 },
    isAvailable: async () => true,
    run: async (ctx) => ({ result: (await run(ctx)) as never }),
  };
}

const noopDescribe = () => ({ event: { type: 'state_change' as const, message: 'claimed' } });

/** Commits one change on its own and says whether it applied. */
async function applyOne(store: TaskStore, change: TaskChange): Promise<boolean> {
  const res = await store.commit({ now: Date.now(), creates: [], changes: [change], audits: [] });
  return res.changes[0]?.applied === true;
}

for (const dialect of DIALECTS) {
  describe(`engine on ${dialect}`, () => {
    it('refuses a write fenced by a lease epoch that a successor has replaced', async () => {
      // No engine here: the test plays two nodes, A and B, against the store directly.
      const db = makeTestDatabase(dialect);
      const opened = await openTestStore(db);
      const store = opened.tasks;
      const task = await createPending();
      async function createPending() {
        const now = Date.now();
        const id = crypto.randomUUID();
        const res = await store.commit({
          now,
          creates: [
            {
              task: {
                id, executionUuid: crypto.randomUUID(), agentType: 'echo', prompt: 'fenced', context: {},
                sessionId: null, projectId: null, boardTaskId: null, ownerId: 'u1', idempotencyKey: null,
                state: TaskStates.PENDING, attempt: 0, maxAttempts: 3, result: null, error: null, metadata: {},
                progress: null, waiting: null, lastSeq: 1, leaseOwner: null, leaseExpiresAt: null, leaseEpoch: 0,
                runAfter: now, createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
              },
              audit: { eventType: 'task.submitted', userId: 'u1', sessionId: null, resourceType: 'task', resourceId: id, action: 'submit', status: 'success', details: {} },
            },
          ],
          changes: [],
          audits: [],
        });
        const c = res.creates[0];
        assert.ok(c && c.kind === 'created');
        return c.task;
      }
      const [claimA] = await claimTasks(store, { owner: 'A', limit: 1, now: Date.now(), leaseMs: 10, transition: CLAIM, describe: noopDescribe });
      assert.ok(claimA && claimA.task.id === task.id);
      // A pauses past its lease; recovery hands the task back and B claims it.
      const orphans = await store.findOrphans(Date.now() + 1000, undefined, 10);
      const orphan = orphans.find((o) => o.id === task.id);
      assert.ok(orphan);
      const recovered = await applyOne(store, { taskId: task.id, epoch: orphan.leaseEpoch, transition: transition({ state: 'running' }, 'pending', 'recover'), set: { releaseLease: true }, event: { type: 'state_change' } });
      assert.equal(recovered, true);
      const [claimB] = await claimTasks(store, { owner: 'B', limit: 1, now: Date.now(), leaseMs: 30_000, transition: CLAIM, describe: noopDescribe });
      assert.ok(claimB);
      assert.ok(claimB.task.leaseEpoch > claimA.task.leaseEpoch);
      const stale = await applyOne(store, { taskId: task.id, epoch: claimA.task.leaseEpoch, transition: transition({ state: 'running' }, 'completed', 'complete'), set: { result: 'stale' }, event: { type: 'state_change' } });
      assert.equal(stale, false);
      const lost = await store.renewLeases('A', [{ taskId: task.id, epoch: claimA.task.leaseEpoch }], Date.now() + 1000);
      assert.deepEqual(lost, [task.id]);
      const fresh = await applyOne(store, { taskId: task.id, epoch: claimB.task.leaseEpoch, transition: transition({ state: 'running' }, 'completed', 'complete'), set: { result: 'B' }, event: { type: 'state_change' } });
      assert.equal(fresh, true);
      const final = await store.findTask(task.id);
      assert.equal(final?.result, 'B');
      await opened.close();
      await db.drop();
    });

    it('recovers a task whose worker vanished and retries it within the retry policy', async () => {
      const db = makeTestDatabase(dialect);
      const store = await openTestStore(db);
      const echo2 = createEchoAgent({ maxAttempts: 2 });
      // Node A claims the task, then "pauses": its lease runs out while its agent still sleeps.
      const a = await startTestEngine(dialect, [echo2], { db, store, nodeId: 'A', pollMs: 60_000 });
      const { task } = await a.engine.submit(adminCaller, { agentType: 'echo', prompt: 'orphan', context: { delay_ms: 400 } });
      const running = await waitForTaskState(store, task.id, ['running']);
      await store.tasks.renewLeases('A', [{ taskId: task.id, epoch: running.leaseEpoch }], Date.now() - 1);
      // Node B finds the expired lease and hands the task back; someone runs attempt 2.
      const b = await startTestEngine(dialect, [echo2], { db, store, nodeId: 'B', pollMs: 50 });
      const done = await waitForTaskState(store, task.id, ['completed', 'failed']);
      assert.equal(done.state, 'completed');
      assert.equal(done.attempt, 2);
      await a.engine.stop();
      await b.engine.stop();
      const events = await store.tasks.listEvents(task.id, 0, 1000);
      assert.ok(events.some((e) => e.message?.includes('retrying (attempt 2 of 2)')), JSON.stringify(events));
      assert.equal(events.filter((e) => e.type === 'state_change' && e.state === 'completed').length, 1);
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
      await store.close();
      await db.drop();
    });

    it('recovers its own tasks at once after a restart instead of waiting for the lease', async () => {
      const db = makeTestDatabase(dialect);
      const store = await openTestStore(db);
      // A crashed run of node "steady" left a claimed task behind with a long lease.
      const pendingOne = await (async () => {
        const e = await startTestEngine(dialect, [createEchoAgent()], { db, store, nodeId: 'submitter', concurrency: 1, pollMs: 60_000 });
        const blocker = await e.engine.submit(adminCaller, { agentType: 'echo', prompt: 'blocker', context: { delay_ms: 60_000 } });
        await waitForTaskState(store, blocker.task.id, ['running']);
        const s = await e.engine.submit(adminCaller, { agentType: 'echo', prompt: 'left behind' });
        await e.engine.cancel(adminCaller, blocker.task.id);
        await e.engine.stop();
        return s.task;
      })();
      const [claimed] = await claimTasks(store.tasks, { owner: 'steady', limit: 1, now: Date.now(), leaseMs: 600_000, transition: CLAIM, describe: noopDescribe });
      assert.equal(claimed?.task.id, pendingOne.id);
      // The restarted node does not wait ten minutes: it recovers its own claim at start.
      const restarted = await startTestEngine(dialect, [createEchoAgent()], { db, store, nodeId: 'steady', pollMs: 60_000 });
      const done = await waitForTaskState(store, pendingOne.id, ['completed']);
      assert.equal(done.result, 'left behind');
      const events = await store.tasks.listEvents(pendingOne.id, 0, 100);
      assert.ok(events.some((e) => e.message?.includes('the node restarted')));
      await restarted.engine.stop();
      await store.close();
      await db.drop();
    });

    it('moves a planning agent back to running before it waits, so an answer resumes it', async () => {
      const planner = scripted('planner', async (ctx) => {
        await ctx.setPhase('planning', 'thinking');
        return ctx.ask('which way?');
      });
      const t = await startTestEngine(dialect, [planner]);
      const { task } = await t.engine.submit(adminCaller, { agentType: 'planner', prompt: 'x' });
      const waiting = await waitForTaskState(t.store, task.id, ['waiting']);
      assert.deepEqual(waiting.waiting, { kind: 'question', question: 'which way?' });
      await assert.rejects(t.engine.approve(adminCaller, task.id, { approved: true }), (err: unknown) => isSwitchboardError(err) && err.code === 'APPROVAL_NOT_PENDING');
      await t.engine.answer(adminCaller, task.id, 'left');
      const done = await waitForTaskState(t.store, task.id, ['completed']);
      assert.equal(done.result, 'left');
      assert.equal(done.waiting, null);
      const states = (await t.store.tasks.listEvents(task.id, 0, 100)).filter((e) => e.type === 'state_change').map((e) => e.state);
      assert.deepEqual(states, ['pending', 'running', 'planning', 'running', 'waiting', 'running', 'completed']);
      await t.close();
    });

    it('resumes a waiting task answered through another node', async () => {
      const db = makeTestDatabase(dialect);
      const store = await openTestStore(db);
      const a = await startTestEngine(dialect, [createEchoAgent()], { db, store, nodeId: 'A', pollMs: 50 });
      const b = await startTestEngine(dialect, [createEchoAgent()], { db, store, nodeId: 'B', pollMs: 50 });
      const { task } = await a.engine.submit(adminCaller, { agentType: 'echo', prompt: 'q', context: { ask: 'from afar?' } });
      const waiting = await waitForTaskState(store, task.id, ['waiting']);
      const worker = waiting.leaseOwner === 'A' ? a : b;
      const other = worker === a ? b : a;
      await other.engine.answer(adminCaller, task.id, 'yes, via the database');
      const done = await waitForTaskState(store, task.id, ['completed']);
      assert.deepEqual(done.result, { prompt: 'q', answer: 'yes, via the database' });
      await a.engine.stop();
      await b.engine.stop();
      await store.close();
      await db.drop();
    });

    it('numbers events without gaps while an agent emits fast and the task is cancelled', async () => {
      const chatty = scripted('chatty', async (ctx) => {
        for (let i = 0; !ctx.signal.aborted; i++) {
          ctx.emit({ type: 'progress', progress: i % 100 });
          if (i % 50 === 0) {
            ctx.emit({ type: 'log', message: `line ${i}` });
            await ctx.sleep(1);
          }
        }
        throw ctx.signal.reason;
      });
      const t = await startTestEngine(dialect, [chatty]);
      const { task } = await t.engine.submit(adminCaller, { agentType: 'chatty', prompt: 'x' });
      await (async () => {
        for (;;) {
          const evs = await t.store.tasks.listEvents(task.id, 0, 1000);
          if (evs.length > 100) return;
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await t.engine.cancel(adminCaller, task.id);
      await t.engine.stop();
      const events = await t.store.tasks.listEvents(task.id, 0, 100_000);
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i + 1),
      );
      assert.equal(events.at(-1)?.state, 'cancelled');
      assert.equal(events.filter((e) => e.type === 'state_change' && e.state === 'cancelled').length, 1);
      await t.store.close();
      await t.db.drop();
    });

    it('hands running tasks back on shutdown and a later start completes them', async () => {
      const db = makeTestDatabase(dialect);
      const store = await openTestStore(db);
      const first = await startTestEngine(dialect, [createEchoAgent()], { db, store, shutdownGraceMs: 0 });
      const { task } = await first.engine.submit(adminCaller, { agentType: 'echo', prompt: 'later', context: { delay_ms: 500 } });
      await waitForTaskState(store, task.id, ['running']);
      await first.engine.stop();
      const handed = await store.tasks.findTask(task.id);
      assert.equal(handed?.state, 'pending');
      assert.equal(handed?.attempt, 0, 'a hand-back does not use up an attempt');
      await assert.rejects(first.engine.submit(adminCaller, { agentType: 'echo', prompt: 'x' }), /shutting down/);
      const second = await startTestEngine(dialect, [createEchoAgent()], { db, store });
      const done = await waitForTaskState(store, task.id, ['completed']);
      assert.equal(done.result, 'later');
      await second.engine.stop();
      await store.close();
      await db.drop();
    });
  });
}

// Last in this file: every test above closed its store, which read back each task's history.
describe('the state machine under the engine suite', () => {
  it('made every state change through the transition table', () => {
    assert.ok(recordedChanges.checked > 50, `state changes seen: ${recordedChanges.checked}`);
    assert.deepEqual(recordedChanges.illegal, []);
  });
});
