/**
 * Remote worker nodes on several servers of one PostgreSQL database: a node linked to
 * one server is listed by every server, tasks for it submitted anywhere run on it at
 * the first attempt (other servers leave them to the server holding its link), a node
 * that moves to another server takes its tasks with it, and its id stays its own
 * across servers. Real server and node processes on loopback.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DIALECTS, makeTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { nodeHome, startNodeProcess, type NodeHome, type NodeProcess } from './helpers/node-process.ts';
import { runCli } from './helpers/cli-process.ts';
import { waitFor } from './helpers/wait.ts';

interface WireNode {
  node_id: string;
  server_id: string;
  agents: string[];
  labels: Record<string, string>;
  connected: boolean;
  health: string;
}
interface WireEvent {
  event_type: string;
  state: string;
  message: string | null;
}

const TERMINAL = ['completed', 'failed', 'cancelled'];

for (const dialect of DIALECTS.filter((d) => d === 'postgres')) {
  describe(`remote worker nodes on two servers of one ${dialect} database`, () => {
    let db: TestDatabase;
    const token = `sbt_nodecluster_${randomBytes(16).toString('hex')}`;
    let a: ServerProcess;
    let b: ServerProcess;
    const ids = new Map<ServerProcess, string>();
    const homes: NodeHome[] = [];
    const procs: NodeProcess[] = [];

    const call = async <T>(s: ServerProcess, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
      const res = await fetch(s.url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' } });
      return { status: res.status, body: (await res.json()) as T };
    };
    const submit = async (s: ServerProcess, agent: string, context: Record<string, unknown> = {}): Promise<string> => {
      const r = await call<{ task_id: string }>(s, '/api/runtime/tasks/submit', { method: 'POST', body: JSON.stringify({ agent_type: agent, prompt: 'far away', context }) });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return r.body.task_id;
    };
    const finished = (s: ServerProcess, id: string) =>
      waitFor(async () => {
        const st = (await call<{ state: string; attempt: number }>(s, `/api/runtime/tasks/${id}/state`)).body;
        return TERMINAL.includes(st.state) ? st : undefined;
      }, `task ${id} to finish`, 30_000);
    const listed = async (s: ServerProcess): Promise<WireNode[]> => (await call<{ nodes: WireNode[] }>(s, '/api/nodes')).body.nodes;
    /** Waits until `s` lists the node as connected through `holder`. */
    const seenOn = (s: ServerProcess, nodeId: string, holder: ServerProcess) =>
      waitFor(async () => (await listed(s)).find((n) => n.node_id === nodeId && n.connected && n.server_id === ids.get(holder)), `${ids.get(s)} to list ${nodeId} on ${ids.get(holder)}`);
    /** The servers that started the task's attempts ("Started on <server> …"). */
    const startedOn = async (s: ServerProcess, id: string): Promise<string[]> =>
      (await call<WireEvent[]>(s, `/api/runtime/tasks/${id}/events`)).body.filter((e) => e.message?.startsWith('Started on ') === true).map((e) => e.message?.split(' ')[2] ?? '');

    before(async () => {
      db = makeTestDatabase(dialect);
      const env = (i: number) => ({
        ...db.env,
        SWITCHBOARD_ADMIN_TOKEN: token,
        SWITCHBOARD_DATA_DIR: `${db.dataDir}/server-${i}`,
        SWITCHBOARD_NODE_GRACE_MS: '1500',
        SWITCHBOARD_NODE_HEARTBEAT_MS: '200',
        SWITCHBOARD_NODE_RETRY_BACKOFF_MS: '100',
        SWITCHBOARD_POLL_MS: '200',
      });
      a = await startServerProcess(env(0));
      b = await startServerProcess(env(1));
      for (const s of [a, b]) ids.set(s, ((await (await fetch(`${s.url}/health`)).json()) as { node_id: string }).node_id);
      assert.notEqual(ids.get(a), ids.get(b));
    });
    after(async () => {
      for (const n of procs) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
      await Promise.all(procs.map((n) => n.exited));
      for (const s of [a, b]) s?.child.kill('SIGTERM');
      await Promise.all([a, b].map((s) => s?.exited));
      for (const h of homes) rmSync(h.home, { recursive: true, force: true });
      await db.drop();
    });

    it('lists a node linked to one server on every server, and runs its tasks submitted to the other at the first attempt', async () => {
      const h = await nodeHome(a.url, token, 'far');
      homes.push(h);
      await startNodeProcess(a.url, token, h, 'far', ['--label', 'zone=east'], true, (p) => procs.push(p));
      const far = await seenOn(b, 'far', a);
      assert.deepEqual(far.agents, ['echo']);
      assert.deepEqual(far.labels, { zone: 'east' });
      assert.equal(far.health, 'ok');
      const cli = await runCli(['nodes', 'list', '--json'], { url: b.url, token });
      assert.equal(cli.code, 0, cli.stderr);
      assert.ok((JSON.parse(cli.stdout) as WireNode[]).some((n) => n.node_id === 'far' && n.server_id === ids.get(a)), cli.stdout);
      const agents = (await call<{ agent_type: string }[]>(b, '/api/runtime/agents')).body.map((x) => x.agent_type);
      assert.ok(agents.includes('echo@far') && agents.includes('echo@*'), agents.join(','));

      // Submitted to B, by id and by selector: B leaves them to A, which holds the link.
      const tasks = await Promise.all(Array.from({ length: 12 }, (_, i) => submit(b, i % 2 === 0 ? 'echo@far' : 'echo@*[zone=east]', { delay_ms: 50 })));
      for (const id of tasks) {
        const st = await finished(b, id);
        assert.equal(st.state, 'completed', id);
        assert.equal(st.attempt, 1, `${id} ran at its first attempt`);
        assert.deepEqual(await startedOn(b, id), [ids.get(a)]);
      }
    });

    it('follows a node that moves to the other server: its tasks go there', async () => {
      const [node] = procs;
      assert.ok(node);
      node.child.kill('SIGTERM');
      await node.exited;
      const h = homes[0];
      assert.ok(h);
      await startNodeProcess(b.url, token, h, 'far', ['--label', 'zone=east'], true, (p) => procs.push(p));
      await seenOn(a, 'far', b);
      const id = await submit(a, 'echo@far');
      const st = await finished(a, id);
      assert.equal(st.state, 'completed');
      assert.deepEqual(await startedOn(a, id), [ids.get(b)]);
    });

    it('refuses another device taking the id of a node linked to the other server', async () => {
      const other = await nodeHome(a.url, token, 'impostor');
      homes.push(other);
      // `far` is linked to B now; the impostor dials A.
      const n = await startNodeProcess(a.url, token, other, 'far', [], false, (p) => procs.push(p));
      const exit = await n.exited;
      assert.equal(exit.code, 3, n.stderr());
      assert.match(n.stderr(), /NODE_ID_TAKEN/);
      assert.equal((await listed(a)).find((x) => x.node_id === 'far')?.server_id, ids.get(b));
    });
  });
}
