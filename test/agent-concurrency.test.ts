/**
 * Per-agent concurrency limits. In the registry: a test agent counts its runs at
 * once; with a limit of 2, five runs never overlap more than two, waiters are told
 * why they wait, a cancelled waiter leaves the queue, and raising the limit through
 * a new definition lets waiters in. Through the real engine on every database: a
 * command agent with `concurrency: 1` runs a second task only after the first ends.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMutableAgentRegistry, type BuiltAgent } from '../src/agents/registry/mutable-registry.ts';
import type { AgentAdapter, AgentEmission, AgentRunContext } from '../src/core/ports/agent-adapter.ts';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { eventsOf, submit, waitForState } from './helpers/api.ts';
import { waitFor } from './helpers/wait.ts';

const WAIT_FOR_FILE = fileURLToPath(new URL('./fixtures/wait-for-file.mjs', import.meta.url));
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** An agent whose runs block until the test releases them, counting how many run at once. */
function gatedAgent(): { adapter: AgentAdapter; running: () => number; max: () => number; releaseOne: () => boolean } {
  let running = 0;
  let max = 0;
  const gates: (() => void)[] = [];
  const adapter: AgentAdapter = {
    info: { agentType: 'gated', name: 'gated', description: '', capabilities: [], metadata: {} },
    retry: { maxAttempts: 1, backoffMs: 0 },
    isAvailable: async () => true,
    async run(ctx) {
      running += 1;
      max = Math.max(max, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
      return { result: ctx.prompt };
    },
  };
  const releaseOne = (): boolean => {
    const gate = gates.shift();
    gate?.();
    return gate !== undefined;
  };
  return { adapter, running: () => running, max: () => max, releaseOne };
}

function context(prompt: string, emitted: AgentEmission[], signal = new AbortController().signal): AgentRunContext {
  return {
    taskId: prompt,
    attempt: 1,
    agentType: 'gated',
    prompt,
    context: {},
    sessionId: null,
    projectId: null,
    signal,
    emit: (e: AgentEmission) => emitted.push(e),
  } as unknown as AgentRunContext;
}

describe('per-agent concurrency in the registry', () => {
  it('never runs more of an agent at once than its limit, and lets waiters in as runs end', async () => {
    const g = gatedAgent();
    const built: BuiltAgent = { adapter: g.adapter, probe: async () => ({ available: true, reason: null }), concurrency: 2 };
    const registry = createMutableAgentRegistry({
      base: [{ ...built, source: 'extra', kind: 'test', config: null }],
      factory: () => built,
      clock: { now: () => 0 },
      logger: silent,
    });
    const agent = registry.get('gated');
    assert.ok(agent);
    const emitted: AgentEmission[] = [];
    const runs = ['r1', 'r2', 'r3', 'r4', 'r5'].map((p) => agent.run(context(p, emitted)));
    await waitFor(() => g.running() === 2, 'two runs to start');
    assert.equal(emitted.filter((e) => /Waiting for a free slot of agent gated \(limit 2/.test(e.message ?? '')).length, 3);

    // A cancelled waiter leaves the queue without ever running.
    const controller = new AbortController();
    const cancelled = agent.run(context('r6', emitted, controller.signal));
    controller.abort(new Error('cancelled'));
    await assert.rejects(cancelled, /cancelled/);

    // Each release ends one run; the next waiter takes its slot (a run blocked on its gate is released then).
    for (let done = 0; done < 5; done++) await waitFor(() => g.releaseOne(), `run ${done + 1} to be running`);
    assert.deepEqual(await Promise.all(runs), ['r1', 'r2', 'r3', 'r4', 'r5'].map((result) => ({ result })));
    assert.equal(g.max(), 2);
  });

  it('raises the limit for waiting runs when a new definition allows more', async () => {
    const g = gatedAgent();
    const one: BuiltAgent = { adapter: g.adapter, probe: async () => ({ available: true, reason: null }), concurrency: 1 };
    const three: BuiltAgent = { ...one, concurrency: 3 };
    const registry = createMutableAgentRegistry({ base: [], factory: (r) => (r.config['concurrency'] === 3 ? three : one), clock: { now: () => 0 }, logger: silent });
    const record = (concurrency: number, updatedAt: number) => ({ id: 'gated', kind: 'test', config: { concurrency }, updatedAt, updatedBy: null });
    registry.install(registry.prepare(record(1, 1)));
    const runs = ['a', 'b', 'c'].map((p) => registry.get('gated')?.run(context(p, [])));
    await waitFor(() => g.running() === 1, 'one run to start');
    registry.install(registry.prepare(record(3, 2)));
    await waitFor(() => g.running() === 3, 'the waiting runs to start under the new limit');
    for (let i = 0; i < 3; i++) await waitFor(() => g.releaseOne(), 'a run to release');
    await Promise.all(runs);
    assert.equal(g.max(), 3);
  });
});

for (const dialect of DIALECTS) {
  describe(`per-agent concurrency through the engine on ${dialect}`, () => {
    let t: TestApp;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sb-concurrency-'));
      const file = join(dir, 'switchboard.config.yaml');
      writeFileSync(
        file,
        ['agents:', '  - id: gate', '    kind: command', `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(WAIT_FOR_FILE)}, ${JSON.stringify(dir)}]`, '    concurrency: 1', ''].join('\n'),
      );
      t = await startTestApp(dialect, { env: { SWITCHBOARD_CONFIG: file } });
    });
    after(async () => t.close());

    it('starts the second task of a concurrency-1 agent only after the first ends', async () => {
      const a = await submit(t, { agent_type: 'gate', prompt: 'a' });
      const b = await submit(t, { agent_type: 'gate', prompt: 'b' });
      const ids = { a: a.task_id, b: b.task_id } as const;
      // One of them runs; the other waits for the agent's slot (it says so).
      const [first, second] = await waitFor(async () => {
        for (const [p, q] of [['a', 'b'], ['b', 'a']] as const) {
          if (!existsSync(join(dir, `started-${p}`))) continue;
          const events = await eventsOf(t, ids[q]);
          if (events.some((e) => /Waiting for a free slot of agent gate/.test(e.message ?? ''))) return [p, q] as const;
        }
        return undefined;
      }, 'one task to run and the other to wait for the slot');
      assert.equal(existsSync(join(dir, `started-${second}`)), false, 'the second has not started');
      assert.equal((await waitForState(t, ids[second], ['running'])).state, 'running');

      writeFileSync(join(dir, `release-${first}`), '');
      assert.equal((await waitForState(t, ids[first], ['completed', 'failed'])).state, 'completed');
      await waitFor(() => existsSync(join(dir, `started-${second}`)), 'the second to start');
      writeFileSync(join(dir, `release-${second}`), '');
      const done = await waitForState(t, ids[second], ['completed', 'failed']);
      assert.equal(done.state, 'completed', done.error ?? '');
    });
  });
}
