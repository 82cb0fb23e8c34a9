/**
 * One live server per node id on a shared PostgreSQL database: two servers started
 * on the same data dir (so the same default node id) run under different ids, and the
 * second does not take over the first one's running task as its own from before a
 * restart; an explicitly configured id held by a live server stops a second one from
 * starting; once the holder is killed, a restart gets the id back and recovers its task.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { waitFor } from './helpers/wait.ts';

interface Wire {
  task_id: string;
  state: string;
  attempt: number;
}

const client = (url: string, token: string) => async <T>(path: string, init: RequestInit = {}): Promise<T> => {
  const res = await fetch(url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

const nodeOf = async (s: ServerProcess): Promise<string> => ((await (await fetch(`${s.url}/health`)).json()) as { node_id: string }).node_id;

async function stop(s: ServerProcess): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await s.exited;
}

for (const dialect of DIALECTS.filter((d) => d === 'postgres')) {
  describe(`node ids on ${dialect}`, () => {
    it('gives two servers on the same data dir different node ids, and neither takes the other\'s running task', async () => {
      const db = makeTestDatabase(dialect);
      const token = `sbt_node_${randomBytes(16).toString('hex')}`;
      const env = { ...db.env, SWITCHBOARD_ADMIN_TOKEN: token, SWITCHBOARD_POLL_MS: '200' };
      const first = await startServerProcess(env);
      const servers = [first];
      try {
        const api = client(first.url, token);
        const task = await api<Wire>('/api/runtime/tasks/submit', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'mine', context: { delay_ms: 60_000 } }) });
        await waitFor(async () => (await api<Wire>(`/api/runtime/tasks/${task.task_id}/state`)).state === 'running', 'running on the first');
        const second = await startServerProcess(env);
        servers.push(second);
        const [a, b] = [await nodeOf(first), await nodeOf(second)];
        assert.notEqual(a, b);
        assert.ok(b.startsWith(`${a}-`), `${b} is ${a} made unique`);
        // The second's start-up recovery and a few of its polls have run: the task is still the first's.
        const events = await client(second.url, token)<{ message: string }[]>(`/api/runtime/tasks/${task.task_id}/events`);
        const still = await client(second.url, token)<Wire>(`/api/runtime/tasks/${task.task_id}/state`);
        assert.equal(still.state, 'running');
        assert.equal(still.attempt, 1);
        assert.ok(!events.some((e) => e.message.startsWith('Recovered')), 'never recovered');
        assert.equal(first.child.exitCode, null);
      } finally {
        for (const s of servers) await stop(s);
        await db.drop();
      }
    });

    it('refuses to start a second server under an explicit node id a live one holds, and gives it back once that one dies', async () => {
      const db = makeTestDatabase(dialect);
      const token = `sbt_node_${randomBytes(16).toString('hex')}`;
      const env = { ...db.env, SWITCHBOARD_ADMIN_TOKEN: token, SWITCHBOARD_NODE_ID: 'node-x' };
      const first = await startServerProcess(env);
      let again: ServerProcess | undefined;
      try {
        const api = client(first.url, token);
        const task = await api<Wire>('/api/runtime/tasks/submit', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'x', context: { delay_ms: 60_000 } }) });
        await waitFor(async () => (await api<Wire>(`/api/runtime/tasks/${task.task_id}/state`)).state === 'running', 'running');
        const refused = await startServerProcess({ ...env, SWITCHBOARD_DATA_DIR: `${db.dataDir}-other` }).then(
          () => assert.fail('a second server started under a held node id'),
          (err: unknown) => String(err),
        );
        assert.match(refused, /Another Switchboard server is running as node "node-x"/);
        assert.doesNotMatch(refused, /\n\s+at /, 'no stack trace');
        first.child.kill('SIGKILL');
        await first.exited;
        again = await startServerProcess(env);
        assert.equal(await nodeOf(again), 'node-x');
        const api2 = client(again.url, token);
        // Recovered at start as its own (not after the 30 s lease) and running again.
        await waitFor(async () => {
          const s = await api2<Wire>(`/api/runtime/tasks/${task.task_id}/state`);
          return s.state === 'running' && s.attempt === 2;
        }, 'the restarted node to run its task again', 10_000);
        const events = await api2<{ message: string }[]>(`/api/runtime/tasks/${task.task_id}/events`);
        assert.ok(events.some((e) => e.message.startsWith('Recovered: the node restarted')));
      } finally {
        await stop(first);
        if (again !== undefined) await stop(again);
        await db.drop();
      }
    });
  });
}
