/** An engine on a real database with chosen agents and short lease times, for engine-level tests. */
import { pino } from 'pino';
import { createEngine, type Engine, type EngineOptions } from '../../src/core/engine/engine.ts';
import { createLocalEventBus } from '../../src/core/engine/local-event-bus.ts';
import { createAgentRegistry } from '../../src/agents/registry.ts';
import { openStore, type OpenedStore } from '../../src/store/open-store.ts';
import { hashAuditRecord } from '../../src/security/audit/audit-chain.ts';
import { nodeTimers, systemClock, uuidIds } from '../../src/app/node-timers.ts';
import type { AgentAdapter } from '../../src/core/ports/agent-adapter.ts';
import type { EngineMetrics } from '../../src/core/ports/engine-metrics.ts';
import type { ClaimedTask, ClaimRequest, TaskStore } from '../../src/core/ports/task-store.ts';
import type { Caller } from '../../src/core/domain/caller.ts';
import { makeTestDatabase, type DialectName, type TestDatabase } from './databases.ts';
import { canTransition } from '../../src/core/domain/transitions.ts';
import type { TaskState } from '../../src/core/domain/task-states.ts';

/** What the engine suite's stores recorded: every state change, checked against the transition table. */
export const recordedChanges = { checked: 0, illegal: [] as string[] };

/**
 * Reads back every task's history (each event carries the task's state after it) and
 * checks each change of state against the table. Runs when a test store closes, so
 * every change any engine test made is checked, however it was made.
 */
export async function checkStateHistories(store: Pick<OpenedStore, 'tasks'>): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await store.tasks.listTasks({ limit: 200, ...(cursor !== undefined ? { cursor } : {}) });
    for (const task of page.items) {
      let previous: TaskState | undefined;
      for (let after = 0; ; ) {
        const events = await store.tasks.listEvents(task.id, after, 500);
        for (const e of events) {
          if (previous === undefined && e.state !== 'pending') recordedChanges.illegal.push(`${task.id}: born ${e.state}`);
          if (previous !== undefined && previous !== e.state) {
            recordedChanges.checked += 1;
            if (!canTransition(previous, e.state)) recordedChanges.illegal.push(`${task.id}: ${previous} -> ${e.state} (seq ${e.seq})`);
          }
          previous = e.state;
        }
        if (events.length < 500) break;
        after = events[events.length - 1]?.seq ?? after;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Claims as the scheduler does: a commit that carries only the claim. */
export async function claimTasks(store: TaskStore, req: ClaimRequest): Promise<readonly ClaimedTask[]> {
  return (await store.commit({ now: req.now, creates: [], changes: [], audits: [], claim: req })).claimed ?? [];
}

export const noMetrics: EngineMetrics = { taskSubmitted() {}, taskFinished() {}, commitFlushed() {} };

export const adminCaller: Caller = {
  principal: { id: 'u-admin', username: 'admin', kind: 'user', roles: ['admin'], grants: [] },
  via: 'system',
};

export interface TestEngine {
  readonly engine: Engine;
  readonly store: OpenedStore;
  readonly db: TestDatabase;
  close(): Promise<void>;
}

/** A store whose close first checks every task's history against the transition table. */
export async function openTestStore(db: TestDatabase): Promise<OpenedStore> {
  const store = await openStore(db.location, { ids: uuidIds, hashAudit: hashAuditRecord });
  let checked = false;
  return {
    ...store,
    async close() {
      if (!checked) {
        checked = true;
        await checkStateHistories(store);
      }
      await store.close();
    },
  };
}

export async function startTestEngine(
  dialect: DialectName,
  agents: readonly AgentAdapter[],
  options: Partial<EngineOptions> & { db?: TestDatabase; store?: OpenedStore } = {},
): Promise<TestEngine> {
  const db = options.db ?? makeTestDatabase(dialect);
  const store = options.store ?? (await openTestStore(db));
  const engine = createEngine(
    {
      store: store.tasks,
      bus: createLocalEventBus(),
      agents: createAgentRegistry(agents),
      skills: { list: async () => [], get: async () => undefined },
      clock: systemClock,
      timers: nodeTimers,
      ids: uuidIds,
      logger: pino({ level: 'silent' }),
      metrics: noMetrics,
      sessionMemory: store.sessionMemory,
    },
    {
      nodeId: options.nodeId ?? `node-${Math.random().toString(16).slice(2, 8)}`,
      concurrency: options.concurrency ?? 8,
      leaseMs: options.leaseMs ?? 30_000,
      renewMs: options.renewMs ?? 10_000,
      pollMs: options.pollMs ?? 100,
      maxBatch: options.maxBatch ?? 500,
      shutdownGraceMs: options.shutdownGraceMs ?? 0,
      taskCacheSize: options.taskCacheSize ?? (dialect === 'sqlite' ? 1000 : 0),
    },
  );
  await engine.start();
  return {
    engine,
    store,
    db,
    async close() {
      await engine.stop();
      if (options.store === undefined) await store.close();
      if (options.db === undefined) await db.drop();
    },
  };
}

/** Polls the store until the task is in one of `states`. */
export async function waitForTaskState(store: OpenedStore, taskId: string, states: readonly string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await store.tasks.findTask(taskId);
    if (t && states.includes(t.state)) return t;
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not reach ${states.join('|')} (is ${t?.state})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
