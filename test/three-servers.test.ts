/**
 * Three `switchboard serve` processes on one PostgreSQL database, behind no sticky
 * anything: requests go to whichever server.
 * - A client streaming from one server sees a task that runs on another, with its
 *   live previews, and prints exactly the agent's text.
 * - A cancel sent to one server stops the agent on the server running it.
 * - 1,000 echo tasks submitted round-robin while one server is SIGKILLed midway (a
 *   submit that got no answer is retried on the next server with the same
 *   Idempotency-Key): every task ends exactly once — one terminal event each, all
 *   completed, none lost, none extra — the dead server's tasks finished by the others.
 * - A server stopped with SIGTERM drains: its health check fails at once while it
 *   still answers, it claims nothing new (a task submitted to it then runs on the
 *   other), its running task finishes there, and it exits 0.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DIALECTS, makeTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { framesOf, printed } from './helpers/sse-frames.ts';
import { waitFor } from './helpers/wait.ts';

interface Wire {
  task_id: string;
  state: string;
  attempt: number;
}
interface WireEvent {
  seq: number;
  event_type: string;
  state: string;
  message: string;
}

const TERMINAL = ['completed', 'failed', 'cancelled'];
const TASKS = 1000;

/** Short leases, so the killed server's tasks come back within seconds; fast polls. */
const CLUSTER_ENV = {
  SWITCHBOARD_LEASE_MS: '4000',
  SWITCHBOARD_RENEW_MS: '1300',
  SWITCHBOARD_POLL_MS: '200',
  SWITCHBOARD_CONCURRENCY: '16',
  // A rolling restart: on SIGTERM, /health fails at once while requests are still served for a second.
  SWITCHBOARD_DRAIN_MS: '1000',
};

for (const dialect of DIALECTS.filter((d) => d === 'postgres')) {
  describe(`three servers on one ${dialect} database`, () => {
    let db: TestDatabase;
    const token = `sbt_cluster_${randomBytes(16).toString('hex')}`;
    let servers: ServerProcess[] = [];
    const nodes = new Map<string, ServerProcess>();

    const call = async <T>(s: ServerProcess, path: string, init: RequestInit = {}): Promise<T> => {
      const res = await fetch(s.url + path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', ...(init.headers as Record<string, string> | undefined) },
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const submit = (s: ServerProcess, body: unknown, key?: string) =>
      call<Wire>(s, '/api/runtime/tasks/submit', { method: 'POST', body: JSON.stringify(body), ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}) });
    /** The server running a task, from its start event ("Started on <node> …"). */
    const runnerOf = async (taskId: string, via: ServerProcess = servers[0]!): Promise<ServerProcess> =>
      waitFor(async () => {
        const events = await call<WireEvent[]>(via, `/api/runtime/tasks/${taskId}/events`);
        const started = [...events].reverse().find((e) => e.message.startsWith('Started on '));
        return started === undefined ? undefined : nodes.get(started.message.split(' ')[2] ?? '');
      }, 'the task to start');
    const activeOn = async (s: ServerProcess): Promise<number> => ((await (await fetch(`${s.url}/health`)).json()) as { active_tasks: number }).active_tasks;

    before(async () => {
      db = makeTestDatabase(dialect);
      const env = (i: number) => ({ ...db.env, ...CLUSTER_ENV, SWITCHBOARD_ADMIN_TOKEN: token, SWITCHBOARD_DATA_DIR: `${db.dataDir}/node-${i}` });
      // The first creates the schema and the admin; the others join it.
      const first = await startServerProcess(env(0));
      servers = [first, ...(await Promise.all([startServerProcess(env(1)), startServerProcess(env(2))]))];
      for (const s of servers) nodes.set(((await (await fetch(`${s.url}/health`)).json()) as { node_id: string }).node_id, s);
      assert.equal(nodes.size, 3, 'three distinct node ids');
    });
    after(async () => {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db.drop();
    });

    it('streams a task running on one server, with its live previews, to a client of another', async () => {
      const prompt = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
      const task = await submit(servers[0]!, { agent_type: 'echo', prompt, context: { delay_ms: 300, progress_interval_ms: 100, stream_ms: 15 } });
      const runner = await runnerOf(task.task_id);
      const viewer = servers.find((s) => s !== runner)!;
      const res = await fetch(`${viewer.url}/api/runtime/tasks/${task.task_id}/events`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        signal: AbortSignal.timeout(30_000),
      });
      const frames = await framesOf(res);
      assert.equal(frames.at(-1)?.data['state'], 'completed');
      assert.ok(frames.some((f) => f.event === 'preview' && String(f.data['text']).length > 0), 'previews from the running server');
      assert.equal(printed(frames), prompt);
      const ids = frames.filter((f) => f.event !== 'preview').map((f) => Number(f.id));
      assert.deepEqual(ids, ids.map((_, i) => (ids[0] ?? 1) + i), 'stored events in order, no gap');
    });

    it('stops the agent on the server running a task when the cancel is sent to another', async () => {
      const task = await submit(servers[1]!, { agent_type: 'echo', prompt: 'long', context: { delay_ms: 120_000 } });
      const runner = await runnerOf(task.task_id);
      await waitFor(async () => (await activeOn(runner)) === 1, 'the runner to hold the task');
      const canceller = servers.find((s) => s !== runner)!;
      const cancelled = await call<Wire>(canceller, `/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST', body: '{}' });
      assert.equal(cancelled.state, 'cancelled');
      await waitFor(async () => (await activeOn(runner)) === 0, 'the runner to let go of the cancelled task', 5_000);
      const events = await call<WireEvent[]>(runner, `/api/runtime/tasks/${task.task_id}/events`);
      assert.equal(events.at(-1)?.state, 'cancelled', 'nothing after the terminal event');
      assert.equal(events.filter((e) => e.event_type === 'state_change' && TERMINAL.includes(e.state)).length, 1);
    });

    it('completes every one of 1,000 tasks submitted round-robin exactly once while one server is killed', { timeout: 120_000 }, async () => {
      const victim = servers[2]!;
      const run = randomBytes(4).toString('hex');
      const live = new Set(servers);
      let next = 0;
      let submitted = 0;
      const acknowledged = new Map<string, string>();
      let killed: ServerProcess['exited'] | undefined;
      /** Round-robin over the live servers; a submit without an answer goes to the next one, same key. */
      const submitOne = async (i: number): Promise<void> => {
        const key = `${run}-${i}`;
        for (let tries = 0; ; tries++) {
          const s = [...live][next++ % live.size]!;
          try {
            const t = await submit(s, { agent_type: 'echo', prompt: `task ${i}`, context: { delay_ms: 20 + (i % 5) * 20 } }, key);
            acknowledged.set(key, t.task_id);
            break;
          } catch (err) {
            if (s === victim) live.delete(victim);
            if (tries > 5) throw err;
          }
        }
        submitted += 1;
        if (submitted === TASKS / 2 && killed === undefined) {
          victim.child.kill('SIGKILL');
          killed = victim.exited;
        }
      };
      let i = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (i < TASKS) await submitOne(i++);
        }),
      );
      assert.equal((await killed)?.signal, 'SIGKILL', 'a server was killed midway');
      live.delete(victim);
      const [survivor] = [...live];
      assert.ok(survivor !== undefined);

      // Drain: page through every task until all are terminal.
      const all = await waitFor(
        async () => {
          const tasks: Wire[] = [];
          let cursor: string | null = null;
          do {
            const page: { tasks: Wire[]; next_cursor: string | null } = await call(survivor, `/api/runtime/tasks?agent_type=echo&limit=500${cursor !== null ? `&cursor=${cursor}` : ''}`);
            tasks.push(...page.tasks);
            cursor = page.next_cursor;
          } while (cursor !== null);
          const terminal = new Set(tasks.filter((t) => TERMINAL.includes(t.state)).map((t) => t.task_id));
          return [...acknowledged.values()].every((id) => terminal.has(id)) ? tasks : undefined;
        },
        'every task to be terminal on the surviving servers',
        90_000,
      );
      const ids = new Set(acknowledged.values());
      assert.equal(ids.size, TASKS, 'one task per key: the retried submits made no duplicates');
      const bulk = all.filter((t) => ids.has(t.task_id));
      assert.equal(bulk.length, TASKS, 'none lost');
      assert.equal(all.length - bulk.length, 2, 'none unexpected (the other two are the earlier tests\')');
      assert.deepEqual(
        bulk.filter((t) => t.state !== 'completed').map((t) => `${t.task_id}: ${t.state}`),
        [],
        'all completed',
      );
      // Count terminal events per task over the API: exactly one each.
      const list = [...ids];
      let recovered = 0;
      for (let k = 0; k < list.length; k += 25) {
        await Promise.all(
          list.slice(k, k + 25).map(async (id) => {
            const events = await call<WireEvent[]>(survivor, `/api/runtime/tasks/${id}/events`);
            assert.deepEqual(events.map((e) => e.seq), events.map((_, n) => n + 1), `events of ${id} have no gaps`);
            const terminal = events.filter((e) => e.event_type === 'state_change' && TERMINAL.includes(e.state));
            assert.equal(terminal.length, 1, `task ${id} ended exactly once`);
            assert.equal(events.at(-1), terminal[0], `nothing after the end of ${id}`);
            if (events.some((e) => e.message.startsWith('Recovered'))) recovered += 1;
          }),
        );
      }
      assert.ok(recovered > 0, 'the killed server held tasks that the others recovered and finished');
    });

    it('drains a server on SIGTERM: health fails, requests are still answered, new work runs elsewhere, its task finishes', { timeout: 60_000 }, async () => {
      const live = servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
      assert.equal(live.length, 2);
      const task = await submit(live[0]!, { agent_type: 'echo', prompt: 'finishing', context: { delay_ms: 2500 } });
      const runner = await runnerOf(task.task_id, live[0]);
      const other = live.find((s) => s !== runner)!;
      runner.child.kill('SIGTERM');
      const health = await waitFor(async () => {
        const res = await fetch(`${runner.url}/health`);
        return res.status === 503 ? ((await res.json()) as { status: string }) : undefined;
      }, 'the draining server to fail its health check');
      assert.equal(health.status, 'draining');
      // Still answering while the load balancer moves away; what it accepts now runs on the other server.
      const late = await submit(runner, { agent_type: 'echo', prompt: 'submitted while draining' });
      const done = await waitFor(async () => {
        const s = await call<Wire>(other, `/api/runtime/tasks/${late.task_id}/state`);
        return s.state === 'completed' ? s : undefined;
      }, 'the late task to complete');
      assert.equal(done.state, 'completed');
      assert.equal(await runnerOf(late.task_id, other), other, 'the draining server claimed nothing new');
      const exit = await runner.exited;
      assert.equal(exit.code, 0, runner.output());
      const events = await call<WireEvent[]>(other, `/api/runtime/tasks/${task.task_id}/events`);
      const terminal = events.filter((e) => e.event_type === 'state_change' && TERMINAL.includes(e.state));
      assert.deepEqual(terminal.map((e) => e.state), ['completed'], 'the running task finished once, on the draining server');
      assert.ok(!events.some((e) => e.message.startsWith('Recovered')));
    });
  });
}
