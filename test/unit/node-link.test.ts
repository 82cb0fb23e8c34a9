/** The node link's pure parts: remote agent ids and the server side of one run (each message applied once). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError } from '../../src/core/domain/errors.ts';
import type { AgentAdapter, AgentEmission, AgentRunContext } from '../../src/core/ports/agent-adapter.ts';
import { NodeRun } from '../../src/transports/link/node-run.ts';
import { parseRemoteTarget, selects } from '../../src/transports/link/remote-target.ts';
import { RemoteRun } from '../../src/transports/link/remote-run.ts';
import type { RunBody, RunRequest, ServerMessage } from '../../src/transports/link/link-protocol.ts';
import { nodeMessage, serverMessage } from '../../src/transports/link/link-protocol.ts';

describe('remote agent ids', () => {
  it('reads a pinned node, any node, and a label selector', () => {
    assert.deepEqual(parseRemoteTarget('echo@gpu-box'), { kind: 'node', agent: 'echo', nodeId: 'gpu-box' });
    assert.deepEqual(parseRemoteTarget('echo@*'), { kind: 'selector', agent: 'echo', labels: {} });
    assert.deepEqual(parseRemoteTarget('claude-code@*[gpu=yes, zone=eu]'), { kind: 'selector', agent: 'claude-code', labels: { gpu: 'yes', zone: 'eu' } });
  });

  it('refuses what is not a remote id', () => {
    for (const bad of ['echo', '@node', 'echo@', 'echo@*[gpu]', 'echo@*[=x]', 'Echo@n', 'echo@a b']) assert.equal(parseRemoteTarget(bad), undefined, bad);
  });

  it('selects nodes by id or by every label of the selector', () => {
    const sel = parseRemoteTarget('echo@*[gpu=yes]');
    assert.ok(sel);
    assert.equal(selects(sel, 'a', { gpu: 'yes', zone: 'eu' }), true);
    assert.equal(selects(sel, 'a', { gpu: 'no' }), false);
    assert.equal(selects(sel, 'a', {}), false);
    const pinned = parseRemoteTarget('echo@a');
    assert.ok(pinned);
    assert.equal(selects(pinned, 'a', {}), true);
    assert.equal(selects(pinned, 'b', {}), false);
  });
});

function fakeContext(controller: AbortController) {
  const emitted: AgentEmission[] = [];
  const phases: string[] = [];
  const ctx: AgentRunContext = {
    taskId: 't1',
    attempt: 1,
    agentType: 'echo@n',
    prompt: 'p',
    context: {},
    sessionId: null,
    projectId: null,
    signal: controller.signal,
    memory: undefined,
    history: [],
    emit: (e) => void emitted.push(e),
    stream: () => undefined,
    setPhase: async (phase) => void phases.push(phase),
    ask: async (q) => `answer to ${q}`,
    sleep: async () => undefined,
  };
  return { ctx, emitted, phases };
}

describe('a remote run on the server', () => {
  it('applies each numbered message once, acknowledging repeats and re-sending their replies', async () => {
    const sent: ServerMessage[] = [];
    const { ctx, emitted } = fakeContext(new AbortController());
    const run = new RemoteRun('r1', 'n', ctx, (m) => sent.push(m), () => undefined);
    run.receive(1, { kind: 'emit', emission: { type: 'log', message: 'one' } });
    run.receive(2, { kind: 'ask', question: 'q' });
    run.receive(1, { kind: 'emit', emission: { type: 'log', message: 'one' } });
    run.receive(4, { kind: 'emit', emission: { type: 'log', message: 'gap' } });
    await new Promise((r) => setImmediate(r));
    run.receive(2, { kind: 'ask', question: 'q' });
    run.receive(3, { kind: 'result', result: 'done' });
    assert.deepEqual(await run.outcome, { result: 'done' });
    assert.deepEqual(emitted.map((e) => e.message), ['one']);
    const replies = sent.filter((m) => m.type === 'reply');
    assert.equal(replies.length, 2, 'the repeated request got its reply again');
    assert.deepEqual(replies[0], { type: 'reply', run_id: 'r1', seq: 2, ok: true, value: 'answer to q' });
    assert.equal(run.ackedSeq, 3);
    assert.equal(run.isSettled, true);
  });

  it('fails retryably when the node does not come back within the grace', async () => {
    const { ctx } = fakeContext(new AbortController());
    const run = new RemoteRun('r2', 'n', ctx, () => undefined, () => undefined);
    run.startGrace(10);
    await assert.rejects(run.outcome, (err: unknown) => err instanceof AgentError && err.retryable && /did not reconnect within 10 ms/.test(err.message));
  });

  it('resumes on the new link when the node comes back in time', async () => {
    const { ctx } = fakeContext(new AbortController());
    const later: ServerMessage[] = [];
    const run = new RemoteRun('r3', 'n', ctx, () => undefined, () => undefined);
    run.startGrace(50);
    run.rebind((m) => later.push(m));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(run.isSettled, false);
    run.receive(1, { kind: 'error', message: 'agent broke', retryable: false });
    await assert.rejects(run.outcome, (err: unknown) => err instanceof AgentError && !err.retryable);
    assert.deepEqual(later, [{ type: 'ack', run_id: 'r3', seq: 1 }]);
  });

  it('tells the node to stop when the engine aborts the run', async () => {
    const controller = new AbortController();
    const sent: ServerMessage[] = [];
    const { ctx } = fakeContext(controller);
    let settled = 0;
    const run = new RemoteRun('r4', 'n', ctx, (m) => sent.push(m), () => (settled += 1));
    controller.abort('cancel');
    await assert.rejects(run.outcome);
    assert.deepEqual(sent, [{ type: 'cancel', run_id: 'r4', reason: 'cancel' }]);
    run.receive(1, { kind: 'result', result: 'late' });
    assert.equal(settled, 1);
  });
});

describe('link messages', () => {
  it('round-trips the example messages of docs/node-protocol.md', () => {
    const hello = { type: 'hello', version: 1, node_id: 'gpu-box', labels: { gpu: 'yes' }, agents: [{ agent_type: 'echo', name: 'Echo', description: '', capabilities: [] }], runs: [] };
    assert.deepEqual(nodeMessage.parse(hello), hello);
    const msg = { type: 'run_message', run_id: 'r', seq: 1, body: { kind: 'emit', emission: { type: 'progress', progress: 20, message: '100/500 ms' } } };
    assert.deepEqual(nodeMessage.parse(msg), msg);
    const welcome = { type: 'welcome', version: 1, node_id: 'gpu-box', heartbeat_ms: 5000, runs: [{ run_id: 'r', state: 'dead', acked_seq: 0 }] };
    assert.deepEqual(serverMessage.parse(welcome), welcome);
    assert.equal(nodeMessage.safeParse({ type: 'run_message', run_id: 'r', seq: 0, body: { kind: 'stream', text: 'x' } }).success, false);
  });
});

describe('a run on the node', () => {
  it('joins stream pieces into one message, sent before what follows them', async () => {
    const sent: { seq: number; body: RunBody }[] = [];
    const agent: AgentAdapter = {
      info: { agentType: 'streamer', name: 'streamer', description: '', capabilities: [], metadata: {} },
      retry: { maxAttempts: 1, backoffMs: 0 },
      isAvailable: async () => true,
      async run(ctx) {
        for (const word of ['one ', 'two ', 'three ']) ctx.stream(word);
        ctx.emit({ type: 'progress', message: 'halfway', progress: 0.5 });
        ctx.stream('four');
        return { result: 'done' };
      },
    };
    const request: RunRequest = { type: 'run', run_id: 'r1', task_id: 't1', attempt: 1, agent_type: 'streamer', prompt: 'p', context: {}, session_id: null, project_id: null, has_memory: false, history: [] };
    const run = new NodeRun(request, agent, (m) => void sent.push({ seq: m.seq, body: m.body }), () => undefined);
    await run.settled;
    assert.deepEqual(
      sent.map((m) => [m.seq, m.body.kind, 'text' in m.body ? m.body.text : '']),
      [
        [1, 'stream', 'one two three '],
        [2, 'emit', ''],
        [3, 'stream', 'four'],
        [4, 'result', ''],
      ],
    );
  });
});
