/**
 * The engine's behaviour on the in-memory store, a fake clock, manual timers and a
 * scripted agent: no database, no real sleep, no polling. Time moves only when a
 * test advances it, so leases, backoffs and polls fire at exact instants.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSwitchboardError } from '../../src/core/domain/errors.ts';
import type { TaskState } from '../../src/core/domain/task-states.ts';
import type { AgentAdapter } from '../../src/core/ports/agent-adapter.ts';
import { createScriptedAgent, step, type ScriptStep } from '../../src/core/testing/scripted-agent.ts';
import { createWorld, startCoreNode, type World } from '../helpers/core-engine.ts';
import { adminCaller, recordedChanges } from '../helpers/test-engine.ts';
import type { Caller } from '../../src/core/domain/caller.ts';
import type { Task } from '../../src/core/domain/task.ts';

const otherCaller: Caller = {
  principal: { id: 'u-other', username: 'other', kind: 'user', roles: ['developer'], grants: [] },
  via: 'system',
};

const hasCode = (code: string) => (err: unknown) => isSwitchboardError(err) && err.code === code;

/** The states a task went through, one per state change. */
async function stateChanges(world: World, taskId: string): Promise<TaskState[]> {
  return (await world.events(taskId)).filter((e) => e.type === 'state_change').map((e) => e.state);
}

async function assertGapless(world: World, taskId: string): Promise<void> {
  const seqs = (await world.events(taskId)).map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  assert.equal((await world.task(taskId)).lastSeq, seqs.length);
}

describe('engine core (in-memory store, fake clock, manual timers)', () => {
  it('runs a submitted task to success, its events stored in order with gapless sequence numbers', async () => {
    const agent = createScriptedAgent({ script: [step.log('hello'), step.progress(50), step.output('partial'), step.succeed({ ok: true })] });
    const node = await startCoreNode([agent]);
    const { world } = node;
    const t0 = world.clock.now();
    const task = await node.submit({ prompt: 'go' });
    const done = await world.task(task.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(done.result, { ok: true });
    assert.equal(done.attempt, 1);
    assert.equal(done.progress, 100);
    assert.equal(done.leaseOwner, null);
    assert.deepEqual([done.createdAt, done.startedAt, done.finishedAt], [t0, t0, t0], 'no time passed on the fake clock');
    const events = await world.events(task.id);
    assert.deepEqual(
      events.map((e) => [e.seq, e.type, e.state, e.message]),
      [
        [1, 'state_change', 'pending', 'Task submitted'],
        [2, 'state_change', 'running', 'Started on A (attempt 1)'],
        [3, 'log', 'running', 'hello'],
        [4, 'progress', 'running', null],
        [5, 'output', 'running', 'partial'],
        [6, 'state_change', 'completed', 'Task completed'],
      ],
    );
    assert.equal(events[3]?.progress, 50);
    const audit = (await world.store.listAudit(0, 100)).filter((r) => r.details['task_id'] === task.id || r.resourceId === task.id);
    assert.deepEqual(audit.map((r) => r.eventType).sort(), ['agent.executed', 'task.completed', 'task.started', 'task.submitted']);
    assert.equal(agent.runs.length, 1);
    assert.equal(agent.runs[0]?.status, 'succeeded');
    await node.stop();
    await world.check();
  });

  it('delivers the committed events on the bus in sequence order', async () => {
    const agent = createScriptedAgent({ script: [step.hold('go'), step.log('one'), step.log('two'), step.succeed('done')] });
    const node = await startCoreNode([agent]);
    const task = await node.submit({ prompt: 'watched' });
    const seen: number[] = [];
    node.bus.subscribe(task.id, (e) => seen.push(e.seq));
    agent.release('go');
    await node.world.timers.settle();
    assert.deepEqual(seen, [3, 4, 5]);
    assert.equal((await node.world.task(task.id)).state, 'completed');
    await node.stop();
  });

  describe('cancel from each non-terminal state', () => {
    const scriptFor = (prompt: string): readonly ScriptStep[] => {
      switch (prompt) {
        case 'blocker':
          return [step.hold('blocker'), step.succeed('blocker done')];
        case 'planning':
          return [step.phase('planning', 'thinking'), step.hold('never')];
        case 'running':
          return [step.log('working'), step.hold('never')];
        case 'waiting':
          return [step.ask('which way?'), step.succeed('unreachable')];
        default:
          return [step.succeed(prompt)];
      }
    };

    for (const state of ['pending', 'planning', 'running', 'waiting'] as const) {
      it(`cancels a ${state} task: it ends cancelled, its run is aborted, and its slot is free again`, async () => {
        const agent = createScriptedAgent({ script: ({ prompt }) => scriptFor(prompt) });
        const node = await startCoreNode([agent], { concurrency: 1 });
        const { world } = node;
        if (state === 'pending') await node.submit({ prompt: 'blocker' });
        const task = await node.submit({ prompt: state });
        assert.equal((await world.task(task.id)).state, state);

        const cancelled = await world.act(node.engine.cancel(adminCaller, task.id));
        assert.equal(cancelled.state, 'cancelled');
        await world.timers.settle();
        const final = await world.task(task.id);
        assert.equal(final.state, 'cancelled');
        assert.equal(final.leaseOwner, null);
        assert.equal(final.waiting, null);
        assert.equal(final.finishedAt, world.clock.now());
        const changes = await stateChanges(world, task.id);
        assert.equal(changes.at(-1), 'cancelled');
        assert.equal(changes.filter((s) => s === 'cancelled').length, 1);
        assert.equal((await world.events(task.id)).at(-1)?.message, 'Cancelled by admin');
        await assertGapless(world, task.id);
        await assert.rejects(world.act(node.engine.cancel(adminCaller, task.id)), hasCode('TASK_TERMINAL'));

        if (state === 'pending') {
          agent.release('blocker');
          await world.timers.settle();
          assert.deepEqual(agent.runsOf(task.id), [], 'a cancelled pending task never runs');
        } else {
          const [run] = agent.runsOf(task.id);
          assert.equal(run?.status, 'aborted');
          assert.equal(run?.abortReason, 'cancel');
        }
        // The one slot is free: the next task runs to the end.
        const next = await node.submit({ prompt: 'next' });
        if (state === 'pending') assert.equal((await world.task(next.id)).state, 'completed');
        else assert.deepEqual([(await world.task(next.id)).state, (await world.task(next.id)).result], ['completed', 'next']);
        assert.equal(node.engine.activeCount, 0);
        await node.stop();
        await world.check();
      });
    }

    it('records nothing an aborted agent emits after the cancel', async () => {
      let emittedAfterAbort = 0;
      const stubborn: AgentAdapter = {
        info: { agentType: 'stubborn', name: 'stubborn', description: 'ignores aborts', capabilities: [], metadata: {} },
        retry: { maxAttempts: 1, backoffMs: 10 },
        isAvailable: async () => true,
        run: (ctx) =>
          new Promise((resolve) =>
            ctx.signal.addEventListener('abort', () => {
              for (let i = 0; i < 20; i++, emittedAfterAbort++) ctx.emit({ type: 'log', message: `after abort ${i}` });
              resolve({ result: 'ignored' });
            }),
          ),
      };
      const node = await startCoreNode([stubborn]);
      const { world } = node;
      const task = await node.submit({ prompt: 'x' });
      await world.act(node.engine.cancel(adminCaller, task.id));
      await world.timers.settle();
      assert.equal(emittedAfterAbort, 20);
      const events = await world.events(task.id);
      assert.equal(events.at(-1)?.state, 'cancelled');
      assert.ok(!events.some((e) => e.message?.startsWith('after abort')), JSON.stringify(events));
      const final = await world.task(task.id);
      assert.deepEqual([final.state, final.result], ['cancelled', null]);
      await node.stop();
    });
  });

  it('holds no slot while a task waits, and resumes it when the question is answered', async () => {
    const agent = createScriptedAgent({
      script: ({ prompt }) => (prompt === 'asks' ? [step.ask('ok?'), step.log('got it'), step.succeed('answered')] : [step.succeed(prompt)]),
    });
    const node = await startCoreNode([agent], { concurrency: 1 });
    const { world } = node;
    const asking = await node.submit({ prompt: 'asks' });
    const waiting = await world.task(asking.id);
    assert.equal(waiting.state, 'waiting');
    assert.deepEqual(waiting.waiting, { kind: 'question', question: 'ok?' });
    assert.equal(waiting.leaseOwner, 'A', 'a waiting task keeps its lease');

    const meanwhile = await node.submit({ prompt: 'meanwhile' });
    assert.equal((await world.task(meanwhile.id)).state, 'completed', 'the one slot was free while the other task waited');
    await assert.rejects(world.act(node.engine.answer(adminCaller, meanwhile.id, 'no')), hasCode('TASK_NOT_WAITING'));

    await world.act(node.engine.answer(adminCaller, asking.id, 'yes'));
    await world.timers.settle();
    const done = await world.task(asking.id);
    assert.deepEqual([done.state, done.result, done.waiting], ['completed', 'answered', null]);
    assert.deepEqual(agent.runsOf(asking.id).map((r) => r.answers), [['yes']]);
    assert.deepEqual(await stateChanges(world, asking.id), ['pending', 'running', 'waiting', 'running', 'completed']);
    const answered = (await world.events(asking.id)).find((e) => e.type === 'state_change' && e.message === 'Answered by admin');
    assert.deepEqual(answered?.data, { answer: 'yes' });
    await assertGapless(world, asking.id);
    await node.stop();
    await world.check();
  });

  it('shows an agent planning, then working, then done', async () => {
    const agent = createScriptedAgent({ script: [step.phase('planning', 'Reading the repository'), step.hold('planned'), step.phase('running'), step.succeed('built')] });
    const node = await startCoreNode([agent]);
    const { world } = node;
    const task = await node.submit({ prompt: 'plan first' });
    assert.equal((await world.task(task.id)).state, 'planning');
    agent.release('planned');
    await world.timers.settle();
    assert.equal((await world.task(task.id)).result, 'built');
    const changes = (await world.events(task.id)).filter((e) => e.type === 'state_change');
    assert.deepEqual(changes.map((e) => e.state), ['pending', 'running', 'planning', 'running', 'completed']);
    assert.equal(changes[2]?.message, 'Reading the repository');
    await node.stop();
    await world.check();
  });

  describe('lease expiry and recovery', () => {
    /**
     * Node A claims the task and then stalls: it neither renews its lease nor polls
     * (both timers an hour away). Node B polls every second and finds the lease gone.
     */
    async function stalledNode(maxAttempts: number) {
      const world = createWorld();
      const agent = createScriptedAgent({ retry: { maxAttempts }, script: ({ attempt }) =>
          attempt === 1 ? [step.hold('stuck'), step.log('late'), step.succeed('stale')] : [step.hold('second'), step.log('second try'), step.succeed('recovered')],
      });
      const a = await startCoreNode([agent], { world, nodeId: 'A', leaseMs: 30_000, renewMs: 3_600_000, pollMs: 3_600_000 });
      const task = await a.submit({ prompt: 'orphan' });
      const b = await startCoreNode([agent], { world, nodeId: 'B', leaseMs: 30_000, pollMs: 1_000 });
      const claimed = await world.task(task.id);
      assert.deepEqual([claimed.state, claimed.leaseOwner, claimed.leaseExpiresAt], ['running', 'A', world.clock.now() + 30_000]);
      // Up to the lease's last millisecond nobody touches it.
      await world.timers.advance(30_000);
      const stillA = await world.task(task.id);
      assert.deepEqual([stillA.state, stillA.leaseOwner, stillA.attempt], ['running', 'A', 1]);
      // B's next poll, one second later, finds the expired lease.
      await world.timers.advance(1_000);
      return { world, agent, a, b, task };
    }

    it('retries an orphan whose lease ran out, within the retry policy, and fences off the stalled node', async () => {
      const { world, agent, a, b, task } = await stalledNode(2);
      const retried = await world.task(task.id);
      assert.deepEqual([retried.state, retried.attempt, retried.leaseOwner], ['running', 2, 'B']);
      const messages = (await world.events(task.id)).map((e) => e.message);
      assert.ok(messages.includes('Recovered: its worker was lost (lease expired); retrying (attempt 2 of 2)'), JSON.stringify(messages));
      assert.ok(messages.includes('Started on B (attempt 2)'));
      // A's agent wakes up and finishes its stale attempt: every write of it is fenced off.
      const before = await world.events(task.id);
      agent.release('stuck');
      await world.timers.settle();
      assert.equal(agent.runsOf(task.id)[0]?.stepIndex, 3, 'the stale attempt ran to its end');
      assert.deepEqual(await world.events(task.id), before, 'the stalled node wrote nothing');
      const stillB = await world.task(task.id);
      assert.deepEqual([stillB.state, stillB.leaseOwner, stillB.result], ['running', 'B', null]);
      agent.release('second');
      await world.timers.settle();
      const done = await world.task(task.id);
      assert.deepEqual([done.state, done.attempt, done.result, done.leaseOwner], ['completed', 2, 'recovered', null]);
      assert.deepEqual(await stateChanges(world, task.id), ['pending', 'running', 'pending', 'running', 'completed']);
      await assertGapless(world, task.id);
      await a.stop();
      await b.stop();
      assert.equal((await world.task(task.id)).result, 'recovered');
      await world.check();
    });

    it('fails an orphan with the reason when it has no attempts left', async () => {
      const { world, agent, a, b, task } = await stalledNode(1);
      const failed = await world.task(task.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error, 'Task failed: its worker was lost (lease expired) after 1 attempt(s)');
      assert.equal(failed.finishedAt, world.clock.now());
      assert.equal(agent.runsOf(task.id).length, 1, 'no second attempt');
      const audit = await world.store.listAudit(0, 1000);
      assert.ok(audit.some((r) => r.resourceId === task.id && r.eventType === 'task.failed' && r.status === 'failure'));
      await a.stop();
      await b.stop();
      assert.equal((await world.task(task.id)).state, 'failed');
      await world.check();
    });

    it('keeps a lease that its node renews in time', async () => {
      const world = createWorld();
      const agent = createScriptedAgent({ script: [step.hold('long'), step.succeed('kept')] });
      const a = await startCoreNode([agent], { world, nodeId: 'A', leaseMs: 30_000, renewMs: 10_000, pollMs: 3_600_000 });
      const b = await startCoreNode([agent], { world, nodeId: 'B', pollMs: 1_000 });
      const task = await a.submit({ prompt: 'renewed' });
      await world.timers.advance(120_000);
      const held = await world.task(task.id);
      assert.deepEqual([held.state, held.leaseOwner, held.attempt], ['running', 'A', 1]);
      assert.equal(held.leaseExpiresAt, world.clock.now() + 30_000, 'renewed at the last renewal tick');
      agent.release('long');
      await world.timers.settle();
      assert.equal((await world.task(task.id)).result, 'kept');
      await a.stop();
      await b.stop();
    });
  });

  it('retries a retryable failure after its backoff, to the millisecond', async () => {
    const agent = createScriptedAgent({
      retry: { maxAttempts: 3 },
      script: ({ attempt }) => (attempt === 1 ? [step.fail('rate limited', { retryable: true, retryAfterMs: 500 })] : [step.succeed('second time lucky')]),
    });
    const node = await startCoreNode([agent], { pollMs: 60_000 });
    const { world } = node;
    const t0 = world.clock.now();
    const task = await node.submit({ prompt: 'x' });
    const waiting = await world.task(task.id);
    assert.deepEqual([waiting.state, waiting.runAfter, waiting.error], ['pending', t0 + 500, 'rate limited']);
    await world.timers.advance(499);
    assert.equal((await world.task(task.id)).state, 'pending');
    await world.timers.advance(1);
    const done = await world.task(task.id);
    assert.deepEqual([done.state, done.attempt, done.result, done.finishedAt], ['completed', 2, 'second time lucky', t0 + 500]);
    assert.deepEqual(agent.runsOf(task.id).map((r) => r.status), ['failed', 'succeeded']);
    await node.stop();
    await world.check();
  });

  it('runs no more tasks at once than its concurrency, and claims the rest oldest first', async () => {
    const agent = createScriptedAgent({ script: ({ prompt }) => [step.hold(prompt), step.succeed(prompt)] });
    const node = await startCoreNode([agent], { concurrency: 2 });
    const { world } = node;
    const tasks: Task[] = [];
    for (const prompt of ['t1', 't2', 't3', 't4', 't5']) {
      tasks.push(await node.submit({ prompt }));
      world.clock.advance(1); // distinct submit times: the claim order is defined
    }
    const states = async () => Promise.all(tasks.map(async (t) => (await world.task(t.id)).state));
    assert.deepEqual(await states(), ['running', 'running', 'pending', 'pending', 'pending']);
    assert.equal(node.engine.activeCount, 2);
    agent.release('t2');
    await world.timers.settle();
    assert.deepEqual(await states(), ['running', 'completed', 'running', 'pending', 'pending']);
    agent.release('t1');
    agent.release('t5'); // released before it runs: it passes its hold at once when claimed
    await world.timers.settle();
    assert.deepEqual(await states(), ['completed', 'completed', 'running', 'running', 'pending']);
    agent.release('t3');
    await world.timers.settle();
    assert.deepEqual(await states(), ['completed', 'completed', 'completed', 'running', 'completed']);
    agent.release('t4');
    await world.timers.settle();
    assert.deepEqual(await states(), ['completed', 'completed', 'completed', 'completed', 'completed']);
    assert.deepEqual(agent.runs.map((r) => r.prompt), ['t1', 't2', 't3', 't4', 't5']);
    await node.stop();
    await world.check();
  });

  it('returns the same task for a repeated submit with the same idempotency key', async () => {
    const agent = createScriptedAgent({ script: ({ prompt }) => [step.succeed(prompt)] });
    const node = await startCoreNode([agent]);
    const { world, engine } = node;
    const input = { agentType: 'scripted', prompt: 'once', idempotencyKey: 'k-1' };
    const first = await world.act(engine.submit(adminCaller, input));
    const again = await world.act(engine.submit(adminCaller, input));
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.task.id, first.task.id);
    await assert.rejects(world.act(engine.submit(adminCaller, { ...input, prompt: 'different' })), hasCode('IDEMPOTENCY_CONFLICT'));
    const theirs = await world.act(engine.submit(otherCaller, input));
    assert.equal(theirs.created, true, 'keys are per owner');
    assert.notEqual(theirs.task.id, first.task.id);
    // Two submits in the same group commit: one task.
    const [x, y] = await world.act(Promise.all([engine.submit(adminCaller, { ...input, idempotencyKey: 'k-2' }), engine.submit(adminCaller, { ...input, idempotencyKey: 'k-2' })]));
    assert.equal(x.task.id, y.task.id);
    assert.deepEqual([x.created, y.created], [true, false]);
    await world.timers.settle();
    const mine = await world.store.listTasks({ ownerId: adminCaller.principal.id, limit: 100 });
    assert.equal(mine.items.length, 2);
    assert.equal(agent.runs.length, 3, 'each task ran once');
    const submitted = (await world.store.listAudit(0, 1000)).filter((r) => r.eventType === 'task.submitted');
    assert.equal(submitted.length, 3);
    await node.stop();
    await world.check();
  });

  it('hands a running task back on shutdown without using up an attempt', async () => {
    const world = createWorld();
    let runs = 0;
    const agent = createScriptedAgent({ script: () => (++runs === 1 ? [step.hold('never')] : [step.succeed('later')]) });
    const first = await startCoreNode([agent], { world, nodeId: 'A' });
    const task = await first.submit({ prompt: 'later' });
    await first.stop();
    const handed = await world.task(task.id);
    assert.deepEqual([handed.state, handed.attempt, handed.leaseOwner], ['pending', 0, null]);
    await assert.rejects(world.act(first.engine.submit(adminCaller, { agentType: 'scripted', prompt: 'x' })), hasCode('RUNTIME_SHUTTING_DOWN'));
    const second = await startCoreNode([agent], { world, nodeId: 'A' });
    await world.timers.settle();
    const done = await world.task(task.id);
    assert.deepEqual([done.state, done.result, done.attempt], ['completed', 'later', 1]);
    assert.deepEqual(agent.runsOf(task.id).map((r) => [r.attempt, r.status, r.abortReason]), [[1, 'aborted', 'shutdown'], [1, 'succeeded', undefined]]);
    assert.ok((await world.events(task.id)).some((e) => e.message === 'Handed back: the node is shutting down'));
    await second.stop();
    await world.check();
  });
});

describe('shutdown racing a claim', () => {
  // stop() waits for a claim whose commit is in flight and hands its tasks back; otherwise
  // they would stay running under this node's lease with no run. Here the claim's
  // acknowledgement is held back, which makes the race happen every time.
  it('hands back a task whose claim was in flight when the node stopped', async () => {
    const world = createWorld();
    const commit = world.store.commit.bind(world.store);
    let acknowledge: (() => void) | undefined;
    let claimedId: string | undefined;
    Object.assign(world.store, {
      // The claim rides in a group commit: hold back the answer of the one that claimed.
      commit: async (...args: Parameters<typeof commit>) => {
        const result = await commit(...args);
        const first = result.claimed?.[0];
        if (first !== undefined) {
          claimedId = first.task.id;
          await new Promise<void>((resolve) => (acknowledge = resolve));
        }
        return result;
      },
    });
    const agent = createScriptedAgent({ script: [step.hold('never')] });
    const node = await startCoreNode([agent], { world });
    const submitted = node.engine.submit(adminCaller, { agentType: agent.info.agentType, prompt: 'raced' });
    for (let i = 0; i < 50 && acknowledge === undefined; i++) await world.timers.advance(0);
    assert.ok(claimedId !== undefined, 'the submit was claimed');
    assert.equal((await world.task(claimedId)).state, 'running', 'claimed in the store');
    const stopped = node.engine.stop();
    await world.timers.advance(0);
    acknowledge?.();
    await world.act(stopped);
    assert.equal((await submitted).task.id, claimedId);
    const after = await world.task(claimedId);
    assert.deepEqual([after.state, after.leaseOwner], ['pending', null]);
  });
});

describe('the state machine under the engine core suite', () => {
  it('made every state change through the transition table', () => {
    assert.ok(recordedChanges.checked > 30, `state changes seen: ${recordedChanges.checked}`);
    assert.deepEqual(recordedChanges.illegal, []);
  });
});
