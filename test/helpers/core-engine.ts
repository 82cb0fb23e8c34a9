/**
 * An engine on the in-memory store, a fake clock and manual timers: time moves only
 * when a test advances it, and `act` runs everything a call set off before it
 * returns, so engine tests need no sleep and no polling. Several nodes may share
 * one world (store, clock, timers), each with its own event bus, as real nodes
 * share a database.
 */
import { createEngine, type Engine, type EngineOptions } from '../../src/core/engine/engine.ts';
import { createLocalEventBus } from '../../src/core/engine/local-event-bus.ts';
import { createMemoryTaskStore, type MemoryTaskStore } from '../../src/core/testing/memory-task-store.ts';
import { FakeClock } from '../../src/core/testing/fake-clock.ts';
import { ManualTimers } from '../../src/core/testing/manual-timers.ts';
import type { AgentAdapter } from '../../src/core/ports/agent-adapter.ts';
import type { EventBus } from '../../src/core/ports/event-bus.ts';
import type { Ids } from '../../src/core/ports/ids.ts';
import type { Logger } from '../../src/core/ports/logger.ts';
import type { Caller } from '../../src/core/domain/caller.ts';
import type { TaskEvent } from '../../src/core/domain/event.ts';
import type { SubmitInput, Task } from '../../src/core/domain/task.ts';
import { adminCaller, checkStateHistories, noMetrics } from './test-engine.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** What nodes share: the store, the clock and the timers. */
export interface World {
  readonly store: MemoryTaskStore;
  readonly clock: FakeClock;
  readonly timers: ManualTimers;
  /** Fresh ids, counted: the same test makes the same ids every run. */
  readonly ids: Ids;
  /** Runs what `promise` set off (no time passes) and returns its outcome; throws if it is still pending. */
  act<T>(promise: Promise<T>): Promise<T>;
  task(taskId: string): Promise<Task>;
  events(taskId: string): Promise<readonly TaskEvent[]>;
  /** Reads back every task's history against the transition table (recorded in test-engine's `recordedChanges`). */
  check(): Promise<void>;
}

export function createWorld(): World {
  const clock = new FakeClock();
  const timers = new ManualTimers(clock, () => new Promise((resolve) => setImmediate(resolve)));
  let n = 0;
  const ids: Ids = { uuid: () => `00000000-0000-4000-a000-${(++n).toString(16).padStart(12, '0')}` };
  const store = createMemoryTaskStore({ ids });
  return {
    store,
    clock,
    timers,
    ids,
    async act<T>(promise: Promise<T>): Promise<T> {
      let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
      promise.then(
        (value) => (outcome = { ok: true, value }),
        (error: unknown) => (outcome = { ok: false, error }),
      );
      await timers.settle();
      if (outcome === undefined) throw new Error('the call is still pending: it waits for time to pass or for a release');
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
    async task(taskId) {
      const t = await store.findTask(taskId);
      if (t === undefined) throw new Error(`no task ${taskId}`);
      return t;
    },
    events: (taskId) => store.listEvents(taskId, 0, 100_000),
    check: () => checkStateHistories({ tasks: store }),
  };
}

export interface CoreNode {
  readonly engine: Engine;
  readonly bus: EventBus;
  readonly world: World;
  /** Submits and lets the submit's consequences run (claim, agent steps, commits). */
  submit(input: Omit<SubmitInput, 'agentType'> & { agentType?: string }, caller?: Caller): Promise<Task>;
  /** Stops the node: the shutdown grace (0 ms) ends, running tasks are aborted and handed back. */
  stop(): Promise<void>;
}

export async function startCoreNode(
  agents: readonly AgentAdapter[],
  options: Partial<EngineOptions> & { world?: World } = {},
): Promise<CoreNode> {
  const world = options.world ?? createWorld();
  const byType = new Map(agents.map((a) => [a.info.agentType, a]));
  const bus = createLocalEventBus();
  const engine = createEngine(
    {
      store: world.store,
      bus,
      agents: { get: (t) => byType.get(t), list: () => [...byType.values()] },
      skills: { list: async () => [], get: async () => undefined },
      clock: world.clock,
      timers: world.timers,
      ids: world.ids,
      logger: silent,
      metrics: noMetrics,
    },
    {
      nodeId: options.nodeId ?? 'A',
      concurrency: options.concurrency ?? 8,
      leaseMs: options.leaseMs ?? 30_000,
      renewMs: options.renewMs ?? 10_000,
      pollMs: options.pollMs ?? 1_000,
      maxBatch: options.maxBatch ?? 500,
      shutdownGraceMs: options.shutdownGraceMs ?? 0,
      // Nodes sharing a world have no change feed between them: read through to the store.
      taskCacheSize: options.taskCacheSize ?? (options.world === undefined ? 1000 : 0),
    },
  );
  await world.act(engine.start());
  const firstAgent = agents[0]?.info.agentType ?? 'scripted';
  return {
    engine,
    bus,
    world,
    async submit(input, caller = adminCaller) {
      const { task } = await world.act(engine.submit(caller, { agentType: firstAgent, ...input }));
      await world.timers.settle();
      return task;
    },
    async stop() {
      const stopped = engine.stop();
      await world.timers.advance(0);
      await world.act(stopped);
    },
  };
}
