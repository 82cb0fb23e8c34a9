/**
 * Remote worker nodes, end to end: a real server process and real `switchboard node`
 * processes on loopback. Nodes prove a trusted device, are listed, run `echo@node`
 * and selector tasks with their events streamed back, get cancels, and a node killed
 * with SIGKILL mid-task loses the attempt, which another node then runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { DIALECTS, makeTestDatabase, type DialectName, type TestDatabase } from './helpers/databases.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { nodeHome, startNodeProcess, type NodeHome, type NodeProcess } from './helpers/node-process.ts';
import { runCli } from './helpers/cli-process.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import { waitFor } from './helpers/wait.ts';
import WebSocket from 'ws';
import { join } from 'node:path';
import { readDeviceKey, signChallenge } from '../src/cli/device-key.ts';

interface WireEvent {
  seq: number;
  event_type: string;
  state: string;
  message: string | null;
  metadata: Record<string, unknown> | null;
}
interface WireNode {
  node_id: string;
  agents: string[];
  labels: Record<string, string>;
  device_id: string;
  health: string;
  connected: boolean;
  running_tasks: string[];
}

const TERMINAL = ['completed', 'failed', 'cancelled'];

/**
 * Every case runs on SQLite; on PostgreSQL (when TEST_DATABASE_URL is set) the SIGKILL
 * recovery runs too, the one case where the database's claims and retries matter most.
 */
for (const dialect of DIALECTS) describe(`remote worker nodes on ${dialect}`, () => suite(dialect));

function suite(dialect: DialectName): void {
  const all = dialect === 'sqlite';
  const sqliteOnly = (name: string, fn: () => Promise<void>): void => void (all ? it(name, fn) : undefined);

  let db: TestDatabase;
  let server: ServerProcess;
  let token: string;
  const homes: NodeHome[] = [];
  const nodes: NodeProcess[] = [];

  const api = async <T>(path: string, init: RequestInit = {}, bearer = token): Promise<{ status: number; body: T }> => {
    const res = await fetch(server.url + path, {
      ...init,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const submit = async (agent: string, prompt: string, context: Record<string, unknown> = {}): Promise<string> => {
    const r = await api<{ task_id: string }>('/api/runtime/tasks/submit', { method: 'POST', body: JSON.stringify({ agent_type: agent, prompt, context }) });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body.task_id;
  };
  const events = async (id: string): Promise<WireEvent[]> => (await api<WireEvent[]>(`/api/runtime/tasks/${id}/events`)).body;
  const state = async (id: string): Promise<{ state: string; result: unknown; attempt?: number }> =>
    (await api<{ state: string; result: unknown }>(`/api/runtime/tasks/${id}/state`)).body;
  const until = (id: string, states: readonly string[]) =>
    waitFor(async () => {
      const s = await state(id);
      return states.includes(s.state) ? s : undefined;
    }, `task ${id} to reach ${states.join('/')}`, 30_000);
  const listed = async (): Promise<WireNode[]> => (await api<{ nodes: WireNode[] }>('/api/nodes')).body.nodes;
  const home = async (name: string, approve = true): Promise<NodeHome> => {
    const h = await nodeHome(server.url, token, name, approve);
    homes.push(h);
    return h;
  };
  const start = async (h: NodeHome, id: string, extra: readonly string[] = [], url = server.url): Promise<NodeProcess> => {
    return startNodeProcess(url, token, h, id, extra, true, (n) => nodes.push(n));
  };
  /** Event sequence numbers are 1, 2, 3 … with no repeat and no gap, and exactly one terminal state change. */
  const assertCleanLog = (log: readonly WireEvent[]): void => {
    assert.deepEqual(log.map((e) => e.seq), log.map((_e, i) => i + 1));
    assert.equal(log.filter((e) => e.event_type === 'state_change' && TERMINAL.includes(e.state)).length, 1);
  };
  /** Progress lines per attempt: each appears once within its attempt (no event applied twice). */
  const assertNoRepeats = (log: readonly WireEvent[]): void => {
    let attempt: string[] = [];
    for (const e of log) {
      if (e.event_type === 'log' && e.message?.startsWith('Running on node') === true) attempt = [];
      if (e.event_type !== 'progress' || e.message === null) continue;
      assert.ok(!attempt.includes(e.message), `event "${e.message}" recorded twice in one attempt`);
      attempt.push(e.message);
    }
  };

  before(async () => {
    db = makeTestDatabase(dialect);
    token = `sbt_nodes_${randomBytes(16).toString('hex')}`;
    server = await startServerProcess({
      ...db.env,
      SWITCHBOARD_ADMIN_TOKEN: token,
      SWITCHBOARD_NODE_GRACE_MS: '1500',
      SWITCHBOARD_NODE_HEARTBEAT_MS: '200',
      SWITCHBOARD_NODE_MAX_ATTEMPTS: '3',
      SWITCHBOARD_NODE_RETRY_BACKOFF_MS: '100',
      SWITCHBOARD_POLL_MS: '200',
    });
  });
  after(async () => {
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    server.child.kill('SIGTERM');
    await server.exited;
    for (const h of homes) rmSync(h.home, { recursive: true, force: true });
    await db.drop();
  });

  sqliteOnly('lists a connected node with its agents and labels, and runs an echo@node task with its events streamed back', async () => {
    const h = await home('alpha');
    await start(h, 'alpha', ['--label', 'zone=one', '--label', 'gpu=no']);
    const [node] = (await listed()).filter((n) => n.node_id === 'alpha');
    assert.ok(node);
    assert.deepEqual(node.agents, ['echo']);
    assert.deepEqual(node.labels, { zone: 'one', gpu: 'no' });
    assert.equal(node.device_id, h.deviceId);
    assert.equal(node.health, 'ok');

    const cli = await runCli(['nodes', 'list', '--json'], { url: server.url, token });
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok((JSON.parse(cli.stdout) as WireNode[]).some((n) => n.node_id === 'alpha' && n.agents.includes('echo')));
    const agents = (await api<{ agent_type: string }[]>('/api/runtime/agents')).body.map((a) => a.agent_type);
    assert.ok(agents.includes('echo@alpha') && agents.includes('echo@*'), agents.join(','));

    const id = await submit('echo@alpha', 'hello from afar', { delay_ms: 300, progress_interval_ms: 100 });
    const done = await until(id, TERMINAL);
    assert.equal(done.state, 'completed');
    assert.equal(done.result, 'hello from afar');
    const log = await events(id);
    assertCleanLog(log);
    assert.ok(log.some((e) => e.event_type === 'log' && e.message === 'Running on node alpha'));
    assert.ok(log.filter((e) => e.event_type === 'progress').length >= 2, 'the node streamed its progress');
  });

  sqliteOnly('refuses a node whose device is not approved, with NODE_DEVICE_UNTRUSTED', async () => {
    const h = await home('pending-one', false);
    const n = await startNodeProcess(server.url, token, h, 'pending-one', [], false, (p) => nodes.push(p));
    const exit = await n.exited;
    assert.equal(exit.code, 3);
    assert.match(n.stderr(), /NODE_DEVICE_UNTRUSTED/);
    assert.match(n.stderr(), new RegExp(`switchboard devices approve ${h.deviceId}`));
    assert.ok(!(await listed()).some((x) => x.node_id === 'pending-one'));
  });

  sqliteOnly('refuses a node with a bad token', async () => {
    const h = await home('badtoken');
    const n = await startNodeProcess(server.url, `sbt_${'0'.repeat(40)}`, h, 'badtoken', [], false, (p) => nodes.push(p));
    const exit = await n.exited;
    assert.equal(exit.code, 3);
    assert.match(n.stderr(), /AUTH_INVALID/);
    assert.ok(!(await listed()).some((x) => x.node_id === 'badtoken'));
  });

  sqliteOnly('refuses the link to a caller without node:connect', async () => {
    const user = await api<{ id: string }>('/api/users', { method: 'POST', body: JSON.stringify({ username: `dev-${randomBytes(4).toString('hex')}`, roles: ['developer'] }) });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const t = await api<{ token: string }>(`/api/users/${user.body.id}/tokens`, { method: 'POST', body: JSON.stringify({ name: 'node' }) });
    const refusal = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/nodes/link?node_id=x`, { headers: { authorization: `Bearer ${t.body.token}` } });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => reject(new Error('the link opened')));
      ws.on('error', () => undefined);
    });
    assert.equal(refusal.status, 403);
    assert.equal((JSON.parse(refusal.body) as { error: { code: string } }).error.code, 'AUTH_FORBIDDEN');
    assert.equal((await api<unknown>('/api/nodes', {}, t.body.token)).status, 403);
  });

  sqliteOnly("delivers a cancel to the node's agent", async () => {
    const h = await home('canceller');
    const n = await start(h, 'canceller');
    const id = await submit('echo@canceller', 'long', { delay_ms: 60_000, progress_interval_ms: 100 });
    await waitFor(async () => (await events(id)).some((e) => e.event_type === 'progress'), 'the remote run to report progress');
    const c = await api<{ state: string }>(`/api/runtime/tasks/${id}/cancel`, { method: 'POST', body: '{}' });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    await n.waitForLine('cancelled by the server');
    await n.waitForLine(': stopped');
    assert.equal((await until(id, TERMINAL)).state, 'cancelled');
    assertCleanLog(await events(id));
    await waitFor(async () => (await listed()).find((x) => x.node_id === 'canceller')?.running_tasks.length === 0, 'the node to hold no run');
  });

  it('recovers the task of a node killed with SIGKILL mid-task on another of three nodes, without duplicate events', async () => {
    const pool = await Promise.all(['k1', 'k2', 'k3'].map(async (id) => start(await home(id), id, ['--label', 'pool=kill'])));
    const id = await submit('echo@*[pool=kill]', 'survive', { delay_ms: 2000, progress_interval_ms: 100 });
    const first = await waitFor(async () => {
      const log = await events(id);
      const on = log.find((e) => e.event_type === 'log' && e.message?.startsWith('Running on node') === true);
      return on !== undefined && log.some((e) => e.event_type === 'progress') ? String(on.metadata?.['node_id']) : undefined;
    }, 'the task to run on a node of the pool');
    const victim = pool.find((n) => n.id === first);
    assert.ok(victim, `ran on ${first}`);
    victim.child.kill('SIGKILL');
    assert.equal((await victim.exited).signal, 'SIGKILL');

    const done = await until(id, TERMINAL);
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal(done.result, 'survive');
    const log = await events(id);
    assertCleanLog(log);
    assertNoRepeats(log);
    const ranOn = log.filter((e) => e.event_type === 'log' && e.message?.startsWith('Running on node') === true).map((e) => e.metadata?.['node_id']);
    assert.equal(ranOn[0], first);
    assert.ok(ranOn.length >= 2 && ranOn.at(-1) !== first, `ran on ${ranOn.join(', ')}`);
    assert.ok(log.some((e) => e.message?.includes(`Node ${first} did not reconnect`) === true), 'the lost attempt says why');
  });

  sqliteOnly('resumes a run after a quick reconnect without losing or repeating events', async () => {
    const proxy = await startTcpProxy(server.url);
    try {
      const n = await start(await home('flaky'), 'flaky', [], proxy.url);
      const id = await submit('echo@flaky', 'through the drop', { delay_ms: 1500, progress_interval_ms: 50 });
      await waitFor(async () => (await events(id)).filter((e) => e.event_type === 'progress').length >= 3, 'progress before the drop');
      proxy.cut();
      await n.waitForLine('resumed 1 runs');
      const done = await until(id, TERMINAL);
      assert.equal(done.state, 'completed', JSON.stringify(done));
      const log = await events(id);
      assertCleanLog(log);
      assertNoRepeats(log);
      assert.equal(log.filter((e) => e.event_type === 'log' && e.message?.startsWith('Running on node') === true).length, 1, 'one attempt: no retry');
      // Every progress step of the one attempt arrived: 50 ms steps up to 1500 ms.
      const steps = log.filter((e) => e.event_type === 'progress').map((e) => e.message);
      assert.equal(steps.at(-1), '1500/1500 ms');
    } finally {
      await proxy.close();
    }
  });

  sqliteOnly("fences a node that comes back after the grace: its old run is refused and the task runs again", async () => {
    const proxy = await startTcpProxy(server.url);
    try {
      const n = await start(await home('late'), 'late', [], proxy.url);
      const id = await submit('echo@late', 'again', { delay_ms: 2500, progress_interval_ms: 100 });
      await waitFor(async () => (await events(id)).some((e) => e.event_type === 'progress'), 'the first attempt to run');
      proxy.pause(true);
      proxy.cut();
      await waitFor(async () => (await events(id)).some((e) => e.message?.includes('Node late did not reconnect') === true), 'the grace to run out');
      proxy.pause(false);
      await n.waitForLine('gave it up while the node was away');
      const done = await until(id, TERMINAL);
      assert.equal(done.state, 'completed', JSON.stringify(done));
      const log = await events(id);
      assertCleanLog(log);
      assertNoRepeats(log);
      assert.equal(log.filter((e) => e.event_type === 'log' && e.message === 'Running on node late').length, 2);
    } finally {
      await proxy.close();
    }
  });

  sqliteOnly("refuses a stale node's write: a message for a run given up after the grace is not recorded", async () => {
    const h = await home('raw');
    const key = readDeviceKey(join(h.home, '.config', 'switchboard', 'device-key.json'));
    assert.ok(key);
    const challenge = (await api<{ challenge_id: string; nonce: string }>('/api/auth/device-challenge', { method: 'POST', body: JSON.stringify({ device_id: key.deviceId }) })).body;
    const session = await api<{ token: string }>('/api/runtime/sessions', {
      method: 'POST',
      body: JSON.stringify({ device_id: key.deviceId, device_proof: { challenge_id: challenge.challenge_id, signature: signChallenge(key, challenge) } }),
    });
    assert.equal(session.status, 201, JSON.stringify(session.body));
    /** A hand-made node speaking the protocol: every server message is kept. */
    const link = async (runs: string[]) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/nodes/link?node_id=raw`, { headers: { authorization: `Bearer ${session.body.token}` } });
      const got: Record<string, unknown>[] = [];
      ws.on('message', (d) => got.push(JSON.parse(String(d)) as Record<string, unknown>));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'hello', version: 1, node_id: 'raw', labels: {}, agents: [{ agent_type: 'echo', name: 'Echo', description: '', capabilities: [] }], runs }));
      const next = (type: string) => waitFor(() => got.find((m) => m['type'] === type), `a ${type} message`);
      return { ws, got, next };
    };
    const first = await link([]);
    const welcome = await first.next('welcome');
    assert.deepEqual(welcome['runs'], []);
    const id = await submit('echo@raw', 'fenced');
    const run = await first.next('run');
    const runId = String(run['run_id']);
    first.ws.send(JSON.stringify({ type: 'run_message', run_id: runId, seq: 1, body: { kind: 'emit', emission: { type: 'log', message: 'before the drop' } } }));
    await waitFor(() => first.got.find((m) => m['type'] === 'ack' && m['seq'] === 1), 'the ack of the first message');
    first.ws.terminate();
    await waitFor(async () => (await events(id)).some((e) => e.message?.includes('Node raw did not reconnect') === true), 'the grace to run out');

    const second = await link([runId]);
    const again = await second.next('welcome');
    assert.deepEqual(again['runs'], [{ run_id: runId, state: 'dead', acked_seq: 0 }]);
    second.ws.send(JSON.stringify({ type: 'run_message', run_id: runId, seq: 2, body: { kind: 'result', result: 'stale result' } }));
    const refused = await second.next('refused');
    assert.deepEqual(refused, { type: 'refused', run_id: runId, code: 'NODE_RUN_STALE', message: 'The run is over: its result is no longer taken' });
    // The retry came to the same node again: it finishes the task with its new run.
    const retry = await waitFor(() => second.got.find((m) => m['type'] === 'run' && m['run_id'] !== runId), 'the retried run');
    second.ws.send(JSON.stringify({ type: 'run_message', run_id: retry['run_id'], seq: 1, body: { kind: 'result', result: 'fresh result' } }));
    const done = await until(id, TERMINAL);
    assert.equal(done.state, 'completed');
    assert.equal(done.result, 'fresh result');
    const log = await events(id);
    assertCleanLog(log);
    assert.equal(log.filter((e) => e.message === 'before the drop').length, 1);
    second.ws.close();
  });

  sqliteOnly('runs a command agent of the node\'s own configuration, and drains it on SIGTERM before exiting 0', async () => {
    const h = await home('drainer');
    const config = join(h.home, 'node.config.yaml');
    // A CLI agent built by the same assembly as on the server: its own process group, stdin prompt, stdout result.
    writeFileSync(config, 'agents:\n  - id: shell\n    kind: command\n    command: ["sh", "-c", "sleep 1; cat"]\n    prompt_via: stdin\n');
    const n = await start(h, 'drainer', ['--config', config, '--agents', 'shell', '--drain-ms', '20000']);
    assert.deepEqual((await listed()).find((x) => x.node_id === 'drainer')?.agents, ['shell']);
    const id = await submit('shell@drainer', 'made on the node');
    await waitFor(async () => (await events(id)).some((e) => e.message === 'Running on node drainer'), 'the command to start on the node');
    n.child.kill('SIGTERM');
    assert.equal((await n.exited).code, 0, n.stderr());
    assert.match(n.stderr(), /draining: 1 runs/);
    const done = await until(id, TERMINAL);
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.match(JSON.stringify(done.result), /made on the node/);
    assertCleanLog(await events(id));
  });

  sqliteOnly('runs the task again on a killed node that restarts under the same id (its lost attempt fails retryably, at once when back within the grace)', async () => {
    const h = await home('phoenix');
    const firstLife = await start(h, 'phoenix');
    const id = await submit('echo@phoenix', 'reborn', { delay_ms: 1000, progress_interval_ms: 100 });
    await waitFor(async () => (await events(id)).some((e) => e.event_type === 'progress'), 'the first attempt to run');
    firstLife.child.kill('SIGKILL');
    await firstLife.exited;
    await start(h, 'phoenix');
    const done = await until(id, TERMINAL);
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const log = await events(id);
    assertCleanLog(log);
    assertNoRepeats(log);
    assert.ok(log.some((e) => e.message?.includes('Node phoenix restarted and lost the run') === true || e.message?.includes('Node phoenix did not reconnect') === true));
    assert.equal(log.filter((e) => e.message === 'Running on node phoenix').length, 2);
  });
}
