import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommitQueue } from '../../src/core/engine/commit-queue.ts';
import type { EngineMetrics } from '../../src/core/ports/engine-metrics.ts';
import type { EventBus } from '../../src/core/ports/event-bus.ts';
import type { ChangeOutcome, ClaimRequest, CommitBatch, CommitResult, CreateOutcome, NewTaskRecord, TaskChange, TaskStore } from '../../src/core/ports/task-store.ts';
import type { Timers } from '../../src/core/ports/timers.ts';
import type { AuditInput } from '../../src/core/domain/audit.ts';
import type { TaskEvent } from '../../src/core/domain/event.ts';
import type { Task } from '../../src/core/domain/task.ts';
import type { TaskState } from '../../src/core/domain/task-states.ts';
import { transition, type Transition, type TransitionCause } from '../../src/core/domain/transitions.ts';
import { isSwitchboardError } from '../../src/core/domain/errors.ts';

function makeTask(id: string, state: TaskState = 'pending', extra: Partial<Task> = {}): Task {
  return {
    id,
    executionUuid: `exec-${id}`,
    agentType: 'echo',
    prompt: 'hi',
    context: {},
    sessionId: null,
    projectId: null,
    boardTaskId: null,
    ownerId: 'owner',
    idempotencyKey: null,
    state,
    attempt: 0,
    maxAttempts: 1,
    result: null,
    error: null,
    metadata: {},
    progress: null,
    waiting: null,
    lastSeq: 1,
    leaseOwner: null,
    leaseExpiresAt: null,
    leaseEpoch: 0,
    runAfter: 0,
    createdAt: 0,
    updatedAt: 0,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

function eventOf(taskId: string, seq: number, state: TaskState, message: string | null = null): TaskEvent {
  return { taskId, seq, type: 'state_change', state, message, progress: null, data: null, createdAt: 0 };
}

function audit(action: string): AuditInput {
  return {
    eventType: 'permission.denied',
    userId: 'u',
    sessionId: null,
    resourceType: null,
    resourceId: null,
    action,
    status: 'denied',
    details: {},
  };
}

function claimRequest(limit: number): ClaimRequest {
  return { owner: 'node-1', limit, now: 1, leaseMs: 30_000, transition: transition({ state: 'pending' }, 'running', 'claim'), describe: () => ({ event: { type: 'state_change' } }) };
}

function newTask(id: string): NewTaskRecord {
  return { task: makeTask(id), audit: audit(`submit ${id}`) };
}

/** A legal way into each state, to build test changes with. */
const INTO: Readonly<Record<TaskState, readonly [TaskState, TransitionCause]>> = {
  pending: ['running', 'retry'],
  planning: ['running', 'plan'],
  running: ['waiting', 'answer'],
  waiting: ['running', 'wait'],
  completed: ['running', 'complete'],
  failed: ['running', 'fail'],
  cancelled: ['pending', 'cancel'],
};

function change(taskId: string, to: TaskState = 'running', extra: Partial<TaskChange> = {}): TaskChange {
  const [from, cause] = INTO[to];
  return { taskId, transition: transition({ state: from }, to, cause), event: { type: 'state_change', message: `${taskId} -> ${to}` }, ...extra };
}

/**
 * What a store would answer: creates are created (ids starting "dup" already exist),
 * changes apply (task ids starting "stale" do not). Events carry the request's message.
 */
function answer(batch: CommitBatch): CommitResult {
  return {
    creates: batch.creates.map((c): CreateOutcome =>
      c.task.id.startsWith('dup')
        ? { kind: 'existing', task: c.task }
        : { kind: 'created', task: c.task, event: eventOf(c.task.id, 1, 'pending', `created ${c.task.id}`) },
    ),
    changes: batch.changes.map((c): ChangeOutcome => {
      if (c.taskId.startsWith('stale')) return { applied: false, task: makeTask(c.taskId, 'completed') };
      const state = c.transition?.to ?? 'running';
      const finished = state === 'completed' || state === 'failed' || state === 'cancelled';
      const task = makeTask(c.taskId, state, finished ? { startedAt: 100, finishedAt: 350 } : {});
      return { applied: true, task, event: eventOf(c.taskId, 2, state, c.event.message ?? null) };
    }),
  };
}

interface PendingCommit {
  readonly batch: CommitBatch;
  succeed(result?: CommitResult): void;
  fail(err: unknown): void;
}

/**
 * A CommitQueue over fakes. `defer` only queues callbacks: the test runs them with
 * `runDeferred()`. Without `respond`, each store.commit waits until the test settles
 * it through `commits`; with it, commits answer (or throw) by themselves.
 */
function harness(options: { maxBatch?: number; respond?: (batch: CommitBatch) => CommitResult } = {}) {
  const deferred: (() => void)[] = [];
  const commits: PendingCommit[] = [];
  const published: TaskEvent[] = [];
  const flushed: number[] = [];
  const finished: [string, TaskState, number | null][] = [];
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const unused = (name: string) => () => {
    throw new Error(`${name} must not be called by the commit queue`);
  };
  const store: TaskStore = {
    commit(batch) {
      log.push(`commit ${batch.creates.length + batch.changes.length + batch.audits.length}`);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = <T>(v: T): T => {
        inFlight -= 1;
        log.push('committed');
        return v;
      };
      if (options.respond !== undefined) {
        const respond = options.respond;
        commits.push({ batch, succeed: unused('succeed'), fail: unused('fail') });
        return Promise.resolve().then(() => {
          try {
            return done(respond(batch));
          } catch (err) {
            done(undefined);
            throw err;
          }
        });
      }
      return new Promise<CommitResult>((resolve, reject) => {
        commits.push({
          batch,
          succeed: (result) => resolve(done(result ?? answer(batch))),
          fail: (err) => {
            done(undefined);
            reject(err);
          },
        });
      });
    },
    renewLeases: unused('renewLeases'),
    findOrphans: unused('findOrphans'),
    findTask: unused('findTask'),
    listTasks: unused('listTasks'),
    listEvents: unused('listEvents'),
    nextRunAfter: unused('nextRunAfter'),
  };
  const timers: Timers = {
    setTimeout: unused('setTimeout'),
    clearTimeout: unused('clearTimeout'),
    defer: (fn) => {
      deferred.push(fn);
    },
  };
  const bus: EventBus = {
    publish: (e) => {
      log.push(`publish ${e.taskId}`);
      published.push(e);
    },
    subscribe: unused('subscribe'),
    preview: unused('preview'),
    subscribePreviews: unused('subscribePreviews'),
    signal: unused('signal'),
    onSignal: unused('onSignal'),
  };
  const metrics: EngineMetrics = {
    taskSubmitted: unused('taskSubmitted'),
    taskFinished: (agentType, state, runMs) => finished.push([agentType, state, runMs]),
    commitFlushed: (items) => flushed.push(items),
  };
  let now = 1000;
  const clock = { now: () => now++ };
  const queue = new CommitQueue({ store, timers, clock, bus, metrics }, { maxBatch: options.maxBatch ?? 500 });

  /** Runs the callbacks deferred so far (one "turn" boundary). */
  function runDeferred(): number {
    const fns = deferred.splice(0);
    for (const fn of fns) fn();
    return fns.length;
  }
  /** Lets every pending promise callback run (no timers involved). */
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  /** Runs deferred flushes until none is left (auto-responding stores only). */
  async function drain(): Promise<void> {
    await settle();
    while (runDeferred() > 0) await settle();
  }
  return {
    queue,
    commits,
    published,
    flushed,
    finished,
    log,
    deferred,
    runDeferred,
    settle,
    drain,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

/** Tracks whether a promise has settled, without leaving its rejection unhandled. */
function track<T>(p: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  p.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

describe('CommitQueue', () => {
  it('refuses a state change outside the transition table before it reaches the store', async () => {
    const h = harness();
    // Only transition() builds a Transition; a hand-made one (as plain JavaScript could pass) is refused.
    const forged = (from: TaskState[], to: TaskState, cause: TransitionCause) => ({ from, to, cause }) as unknown as Transition;
    const cases = [forged(['completed'], 'running', 'answer'), forged(['waiting'], 'completed', 'complete'), forged(['pending'], 'running', 'answer'), forged([], 'running', 'claim')];
    for (const t of cases) {
      await assert.rejects(h.queue.change({ taskId: 'a', transition: t, event: { type: 'state_change' } }), (err: unknown) => isSwitchboardError(err) && err.code === 'TASK_INVALID_TRANSITION');
    }
    await h.settle();
    assert.equal(h.commits.length, 0);
    assert.equal(h.deferred.length, 0, 'nothing was queued');
  });

  it('does not touch the store before the deferred flush runs', async () => {
    const h = harness();
    track(h.queue.create(newTask('t1')));
    track(h.queue.audit(audit('a')));
    await h.settle();
    assert.equal(h.commits.length, 0);
    assert.equal(h.deferred.length, 1, 'one flush is scheduled for many calls');
  });

  it('sends creates, changes and audits made in the same turn to one store.commit', async () => {
    const h = harness();
    track(h.queue.create(newTask('t1')));
    track(h.queue.change(change('a')));
    track(h.queue.audit(audit('denied-1')));
    track(h.queue.create(newTask('t2')));
    track(h.queue.change(change('b', 'completed')));
    track(h.queue.audit(audit('denied-2')));
    h.runDeferred();
    assert.equal(h.commits.length, 1);
    const batch = h.commits[0]?.batch;
    assert.ok(batch);
    assert.deepEqual(
      batch.creates.map((c) => c.task.id),
      ['t1', 't2'],
    );
    assert.deepEqual(
      batch.changes.map((c) => c.taskId),
      ['a', 'b'],
    );
    assert.deepEqual(
      batch.audits.map((a) => a.action),
      ['denied-1', 'denied-2'],
    );
    assert.equal(batch.now, 1000, 'the batch is stamped with the clock at flush time');
  });

  it('settles callers only after the store commit resolves', async () => {
    const h = harness();
    const created = track(h.queue.create(newTask('t1')));
    const changed = track(h.queue.change(change('a')));
    const audited = track(h.queue.audit(audit('x')));
    h.runDeferred();
    await h.settle();
    assert.equal(created.settled || changed.settled || audited.settled, false);
    h.commits[0]?.succeed();
    await h.settle();
    assert.equal(created.settled && changed.settled && audited.settled, true);
    assert.equal((created.value as CreateOutcome).kind, 'created');
    assert.equal((changed.value as ChangeOutcome).applied, true);
    assert.equal(audited.value, undefined);
    assert.equal(audited.error, undefined);
  });

  it('gives each caller its own outcome, by position in the batch', async () => {
    const h = harness();
    const one = h.queue.change(change('a', 'running'));
    const two = h.queue.change(change('stale-b', 'running'));
    const three = h.queue.create(newTask('dup-c'));
    h.runDeferred();
    h.commits[0]?.succeed();
    const [a, b, c] = await Promise.all([one, two, three]);
    assert.equal(a.applied && a.task.id, 'a');
    assert.equal(b.applied, false);
    assert.equal(b.task?.id, 'stale-b');
    assert.equal(c.kind, 'existing');
  });

  it('publishes nothing before the commit, then every new event in order', async () => {
    const h = harness();
    track(h.queue.create(newTask('t1')));
    track(h.queue.change(change('a', 'running')));
    track(h.queue.create(newTask('t2')));
    track(h.queue.change(change('b', 'waiting')));
    track(h.queue.audit(audit('x')));
    h.runDeferred();
    await h.settle();
    assert.equal(h.published.length, 0);
    h.commits[0]?.succeed();
    await h.settle();
    assert.deepEqual(
      h.published.map((e) => e.message),
      ['created t1', 'created t2', 'a -> running', 'b -> waiting'],
    );
    assert.deepEqual(h.log, ['commit 5', 'committed', 'publish t1', 'publish t2', 'publish a', 'publish b']);
  });

  it('publishes no event for a change that did not apply or a create that already existed', async () => {
    const h = harness();
    track(h.queue.change(change('stale-a')));
    track(h.queue.create(newTask('dup-b')));
    track(h.queue.change(change('c')));
    h.runDeferred();
    h.commits[0]?.succeed();
    await h.settle();
    assert.deepEqual(
      h.published.map((e) => e.taskId),
      ['c'],
    );
  });

  it('has the event on the bus by the time its caller continues', async () => {
    const h = harness();
    const p = h.queue.change(change('a')).then(() => h.published.map((e) => e.taskId));
    h.runDeferred();
    h.commits[0]?.succeed();
    assert.deepEqual(await p, ['a']);
  });

  it('reports the flush and finished tasks to the metrics', async () => {
    const h = harness();
    track(h.queue.change(change('a', 'completed')));
    track(h.queue.change(change('b', 'running')));
    track(h.queue.audit(audit('x')));
    h.runDeferred();
    h.commits[0]?.succeed();
    await h.settle();
    assert.deepEqual(h.flushed, [3]);
    assert.deepEqual(h.finished, [['echo', 'completed', 250]]);
  });

  it('retries a failed batch item by item, so only the failing item rejects', async () => {
    const poison = new Error('constraint violated by bad');
    const h = harness({
      respond: (batch) => {
        if (batch.changes.some((c) => c.taskId === 'bad')) throw poison;
        return answer(batch);
      },
    });
    const created = track(h.queue.create(newTask('t1')));
    const good = track(h.queue.change(change('good')));
    const bad = track(h.queue.change(change('bad')));
    const audited = track(h.queue.audit(audit('x')));
    await h.drain();
    assert.equal(created.error, undefined);
    assert.equal((created.value as CreateOutcome).kind, 'created');
    assert.equal((good.value as ChangeOutcome).applied, true);
    assert.equal(bad.error, poison);
    assert.equal(audited.settled, true);
    assert.equal(audited.error, undefined);
    assert.deepEqual(
      h.commits.map((c) => c.batch.creates.length + c.batch.changes.length + c.batch.audits.length),
      [4, 1, 1, 1, 1],
    );
    assert.deepEqual(
      h.published.map((e) => e.taskId),
      ['t1', 'good'],
    );
  });

  it('sends a claim in the same store.commit as the submits of its turn, stamped with the commit time, and answers it with what it claimed', async () => {
    const claimedTask = makeTask('t1', 'running');
    const h = harness({
      respond: (batch) => ({ ...answer(batch), ...(batch.claim !== undefined ? { claimed: [{ task: claimedTask, event: eventOf('t1', 2, 'running', 'claimed') }] } : {}) }),
    });
    const created = track(h.queue.create(newTask('t1')));
    const claimed = track(h.queue.claim(claimRequest(5)));
    await h.drain();
    assert.equal(h.commits.length, 1, 'one transaction for the submit and the claim');
    const batch = h.commits[0]?.batch;
    assert.equal(batch?.creates.length, 1);
    assert.equal(batch?.claim?.limit, 5);
    assert.equal(batch?.claim?.now, batch?.now, 'the claim sees the tasks the commit creates as due');
    assert.equal((created.value as CreateOutcome).kind, 'created');
    assert.deepEqual((claimed.value as readonly { task: Task }[]).map((c) => c.task.id), ['t1']);
    assert.deepEqual(h.published.map((e) => e.message), ['created t1'], 'the claim\'s events are left to the claimer to publish');
  });

  it('runs a claim alone when nothing else is queued, and one claim per commit', async () => {
    const h = harness({ respond: (batch) => ({ ...answer(batch), claimed: [] }) });
    const first = track(h.queue.claim(claimRequest(1)));
    const second = track(h.queue.claim(claimRequest(2)));
    await h.drain();
    assert.deepEqual(h.commits.map((c) => c.batch.claim?.limit), [1, 2]);
    assert.deepEqual([first.value, second.value], [[], []]);
  });

  it('retries the claim of a failed batch on its own, after the items', async () => {
    const poison = new Error('constraint violated by bad');
    const h = harness({
      respond: (batch) => {
        if (batch.changes.some((c) => c.taskId === 'bad')) throw poison;
        return { ...answer(batch), ...(batch.claim !== undefined ? { claimed: [] } : {}) };
      },
    });
    const bad = track(h.queue.change(change('bad')));
    const good = track(h.queue.change(change('good')));
    const claimed = track(h.queue.claim(claimRequest(3)));
    await h.drain();
    assert.equal(bad.error, poison);
    assert.equal((good.value as ChangeOutcome).applied, true);
    assert.deepEqual(claimed.value, []);
    assert.deepEqual(
      h.commits.map((c) => [c.batch.changes.length, c.batch.claim?.limit ?? null]),
      [[2, 3], [1, null], [1, null], [0, 3]],
    );
  });

  it('rejects a lone item whose commit fails without retrying it', async () => {
    const err = new Error('database is locked');
    const h = harness({
      respond: () => {
        throw err;
      },
    });
    const p = track(h.queue.change(change('a')));
    await h.drain();
    assert.equal(p.error, err);
    assert.equal(h.commits.length, 1);
    assert.deepEqual(h.published, []);
    await h.queue.idle();
  });

  it('rejects every item when the store is down for all of them', async () => {
    const err = new Error('connection refused');
    const h = harness({
      respond: () => {
        throw err;
      },
    });
    const items = [track(h.queue.create(newTask('t1'))), track(h.queue.change(change('a'))), track(h.queue.audit(audit('x')))];
    await h.drain();
    for (const i of items) assert.equal(i.error, err);
    assert.equal(h.commits.length, 4);
  });

  it('resolves idle() at once when nothing is queued', async () => {
    const h = harness();
    const idle = track(h.queue.idle());
    await h.settle();
    assert.equal(idle.settled, true);
  });

  it('resolves idle() only once queued and in-flight work is committed', async () => {
    const h = harness();
    track(h.queue.change(change('a')));
    const idleWhileScheduled = track(h.queue.idle());
    h.runDeferred();
    const idleWhileFlushing = track(h.queue.idle());
    await h.settle();
    assert.equal(idleWhileScheduled.settled, false);
    assert.equal(idleWhileFlushing.settled, false);
    h.commits[0]?.succeed();
    await h.settle();
    assert.equal(idleWhileScheduled.settled, true);
    assert.equal(idleWhileFlushing.settled, true);
  });

  it('keeps one commit in flight and sends calls made meanwhile in the next batch', async () => {
    const h = harness();
    const first = track(h.queue.change(change('a')));
    h.runDeferred();
    const second = track(h.queue.change(change('b')));
    const third = track(h.queue.audit(audit('x')));
    const idle = track(h.queue.idle());
    assert.equal(h.deferred.length, 0, 'no flush is scheduled while one is in flight');
    h.commits[0]?.succeed();
    await h.settle();
    assert.equal(first.settled, true);
    assert.equal(second.settled, false);
    assert.equal(h.runDeferred(), 1, 'the next flush is scheduled when the first one ends');
    assert.equal(h.commits.length, 2);
    assert.deepEqual(
      h.commits[1]?.batch.changes.map((c) => c.taskId),
      ['b'],
    );
    assert.equal(h.commits[1]?.batch.audits.length, 1);
    assert.equal(idle.settled, false);
    h.commits[1]?.succeed();
    await h.settle();
    assert.equal(second.settled && third.settled && idle.settled, true);
    assert.equal(h.maxInFlight, 1);
  });

  it('splits work larger than maxBatch into several commits, each kind getting a fair share', async () => {
    const h = harness({ maxBatch: 3, respond: answer });
    const all = [
      track(h.queue.audit(audit('x1'))),
      track(h.queue.change(change('a'))),
      track(h.queue.create(newTask('t1'))),
      track(h.queue.change(change('b'))),
      track(h.queue.audit(audit('x2'))),
    ];
    await h.drain();
    const shapes = h.commits.map((c) => [c.batch.creates.length, c.batch.changes.length, c.batch.audits.length]);
    assert.deepEqual(shapes, [
      [1, 1, 1],
      [0, 1, 1],
    ]);
    for (const p of all) assert.equal(p.settled && p.error === undefined, true);
    assert.equal(h.maxInFlight, 1);
    await h.queue.idle();
  });

  it('does not let a flood of submits starve a cancel or completion', async () => {
    const h = harness({ maxBatch: 6, respond: answer });
    for (let i = 0; i < 30; i++) track(h.queue.create(newTask(`flood-${i}`)));
    track(h.queue.change(change('urgent')));
    await h.drain();
    assert.equal(h.commits[0]?.batch.changes.length, 1);
  });

  it('keeps the order of changes across split batches', async () => {
    const h = harness({ maxBatch: 3, respond: answer });
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
    for (const id of ids) track(h.queue.change(change(id)));
    await h.drain();
    assert.deepEqual(
      h.commits.map((c) => c.batch.changes.length),
      [3, 3, 1],
    );
    assert.deepEqual(
      h.published.map((e) => e.taskId),
      ids,
    );
  });
});
