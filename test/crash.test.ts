/**
 * Crash safety: a real server process running slow tasks is killed with SIGKILL,
 * restarted on the same data, and every task ends in exactly one terminal state.
 * Also: SIGTERM drains gracefully and exits 0.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { startServerProcess } from './helpers/server-process.ts';
import { waitFor } from './helpers/wait.ts';

interface Wire {
  task_id: string;
  state: string;
}
interface WireEvent {
  seq: number;
  event_type: string;
  state: string;
}

const TERMINAL = ['completed', 'failed', 'cancelled'];

function client(url: string, token: string) {
  return async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(url + path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

for (const dialect of DIALECTS) {
  describe(`crash recovery on ${dialect}`, () => {
    it('brings every task of a SIGKILLed server to exactly one terminal state after restart', async () => {
      const db = makeTestDatabase(dialect);
      const token = `sbt_crash_${randomBytes(16).toString('hex')}`;
      const env = { ...db.env, SWITCHBOARD_ADMIN_TOKEN: token, SWITCHBOARD_NODE_ID: 'crash-node', SWITCHBOARD_CONCURRENCY: '8' };
      const first = await startServerProcess(env);
      let api = client(first.url, token);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const t = await api<Wire>('/api/runtime/tasks/submit', {
          method: 'POST',
          body: JSON.stringify({ agent_type: 'echo', prompt: `slow-${i}`, context: { delay_ms: 1500 } }),
        });
        ids.push(t.task_id);
      }
      await waitFor(async () => {
        const page = await api<{ tasks: Wire[] }>('/api/runtime/tasks?state=running&limit=100');
        return page.tasks.length >= 4;
      }, 'tasks to be running');
      first.child.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');

      const second = await startServerProcess(env);
      try {
        api = client(second.url, token);
        const finals = await waitFor(
          async () => {
            const states = await Promise.all(ids.map((id) => api<Wire>(`/api/runtime/tasks/${id}/state`)));
            return states.every((s) => TERMINAL.includes(s.state)) ? states : undefined;
          },
          'all tasks to finish after the restart',
          60_000,
        );
        assert.deepEqual(
          finals.map((s) => s.state),
          ids.map(() => 'completed'),
        );
        for (const id of ids) {
          const events = await api<WireEvent[]>(`/api/runtime/tasks/${id}/events`);
          assert.deepEqual(
            events.map((e) => e.seq),
            events.map((_, i) => i + 1),
            `events of ${id} have no gaps`,
          );
          const terminal = events.filter((e) => e.event_type === 'state_change' && TERMINAL.includes(e.state));
          assert.equal(terminal.length, 1, `task ${id} ended exactly once`);
        }
        const all = await api<{ tasks: Wire[] }>('/api/runtime/tasks?limit=500');
        assert.equal(all.tasks.length, 20, 'no task lost, none duplicated');
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
        await db.drop();
      }
    });

    it('answers a recovered task\'s state as the store has it, with default settings', async () => {
      const db = makeTestDatabase(dialect);
      const token = `sbt_crash_${randomBytes(16).toString('hex')}`;
      const env = { ...db.env, SWITCHBOARD_ADMIN_TOKEN: token };
      const first = await startServerProcess(env);
      let api = client(first.url, token);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const t = await api<Wire>('/api/runtime/tasks/submit', {
          method: 'POST',
          body: JSON.stringify({ agent_type: 'echo', prompt: `slow-${i}`, context: { delay_ms: 1500 } }),
        });
        ids.push(t.task_id);
      }
      await waitFor(async () => {
        const page = await api<{ tasks: Wire[] }>('/api/runtime/tasks?state=running&limit=100');
        return page.tasks.length >= 4;
      }, 'tasks to be running');
      first.child.kill('SIGKILL');
      await first.exited;

      const second = await startServerProcess(env);
      try {
        api = client(second.url, token);
        // Poll states while the recovered tasks run, so reads race the commits.
        const polling = (async () => {
          for (;;) {
            const states = await Promise.all(ids.map((id) => api<Wire>(`/api/runtime/tasks/${id}/state`)));
            if (states.every((s) => TERMINAL.includes(s.state))) return;
          }
        })();
        await waitFor(
          async () => {
            const page = await api<{ tasks: Wire[] }>('/api/runtime/tasks?limit=100');
            return page.tasks.every((t) => TERMINAL.includes(t.state));
          },
          'the store to hold every task finished',
          60_000,
        );
        for (const id of ids) {
          const events = await api<WireEvent[]>(`/api/runtime/tasks/${id}/events`);
          const last = events.at(-1);
          const state = await api<Wire>(`/api/runtime/tasks/${id}/state`);
          assert.equal(state.state, last?.state, `state of ${id} agrees with its last event`);
          assert.equal(state.state, 'completed');
        }
        await polling;
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
        await db.drop();
      }
    });

    if (dialect === 'sqlite') {
      // The cause of stale state reads: a second live server on the same SQLite file
      // (its cache and recovery assume one writer) is now refused at start.
      it('refuses a second server on the same SQLite data while the first runs, and starts once it is gone', async () => {
        const db = makeTestDatabase(dialect);
        const token = `sbt_lock_${randomBytes(16).toString('hex')}`;
        const env = { ...db.env, SWITCHBOARD_ADMIN_TOKEN: token, SWITCHBOARD_SHUTDOWN_GRACE_MS: '200' };
        const first = await startServerProcess(env);
        try {
          const api = client(first.url, token);
          const task = await api<Wire>('/api/runtime/tasks/submit', {
            method: 'POST',
            body: JSON.stringify({ agent_type: 'echo', prompt: 'kept', context: { delay_ms: 60_000 } }),
          });
          await waitFor(async () => (await api<Wire>(`/api/runtime/tasks/${task.task_id}/state`)).state === 'running', 'running');
          const second = await startServerProcess(env).then(
            () => assert.fail('a second server started on the same database'),
            (err: unknown) => String(err),
          );
          assert.match(second, new RegExp(`Another Switchboard server \\(pid ${first.child.pid}\\) is using the database`));
          assert.match(second, /SWITCHBOARD_DATA_DIR/);
          assert.doesNotMatch(second, /\n\s+at /, 'no stack trace');
          // The first one still holds its task: nobody took it over.
          const still = await api<Wire & { attempt: number }>(`/api/runtime/tasks/${task.task_id}/state`);
          assert.equal(still.state, 'running');
          assert.equal(still.attempt, 1);
        } finally {
          first.child.kill('SIGKILL');
          await first.exited;
        }
        const again = await startServerProcess(env);
        again.child.kill('SIGTERM');
        assert.equal((await again.exited).code, 0, again.output());
        await db.drop();
      });
    }

    it('drains on SIGTERM: stops accepting, hands unfinished tasks back, exits 0', async () => {
      const db = makeTestDatabase(dialect);
      const token = `sbt_term_${randomBytes(16).toString('hex')}`;
      const env = { ...db.env, SWITCHBOARD_ADMIN_TOKEN: token, SWITCHBOARD_NODE_ID: 'term-node', SWITCHBOARD_SHUTDOWN_GRACE_MS: '200' };
      const server = await startServerProcess(env);
      const api = client(server.url, token);
      const task = await api<Wire>('/api/runtime/tasks/submit', {
        method: 'POST',
        body: JSON.stringify({ agent_type: 'echo', prompt: 'long', context: { delay_ms: 60_000 } }),
      });
      await waitFor(async () => (await api<Wire>(`/api/runtime/tasks/${task.task_id}/state`)).state === 'running', 'running');
      server.child.kill('SIGTERM');
      const exit = await server.exited;
      assert.equal(exit.code, 0, server.output());
      const again = await startServerProcess({ ...env, SWITCHBOARD_NODE_ID: 'other-node' });
      try {
        const state = await client(again.url, token)<Wire & { attempt: number }>(`/api/runtime/tasks/${task.task_id}/state`);
        assert.ok(['pending', 'running'].includes(state.state), `handed back, now ${state.state}`);
      } finally {
        again.child.kill('SIGTERM');
        await again.exited;
        await db.drop();
      }
    });
  });
}
