/**
 * Two nodes on one PostgreSQL schema, each with its task cache: a change made through
 * one node (cancel) is seen at once through the other, which had the task cached —
 * the change feed (LISTEN/NOTIFY) evicts it. When the feed's connection is killed,
 * the node stops caching (reads go to the database, so nothing stale is served) and
 * it listens again by itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { getState, submit, waitForState } from './helpers/api.ts';
import { waitFor } from './helpers/wait.ts';
import { nextNotice, throughOther } from './helpers/change-feed.ts';

for (const dialect of DIALECTS.filter((d) => d === 'postgres')) {
  describe(`task cache across nodes on ${dialect}`, () => {
    let a: TestApp;
    let b: TestApp;
    /** Node B with node A's admin token (the shared database's admin). */
    let viaB: TestApp;

    before(async () => {
      a = await startTestApp(dialect);
      b = await startTestApp(dialect, { db: a.db });
      viaB = throughOther(a, b);
      await Promise.all([nextNotice(a, 'up'), nextNotice(b, 'up')]);
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    it("sees another node's change to a task it has cached", async () => {
      const task = await submit(a, { agent_type: 'echo', prompt: 'slow', context: { delay_ms: 60_000 } });
      const seen = await waitForState(viaB, task.task_id, ['running']);
      // Read again: now from B's cache.
      assert.equal((await getState(viaB, task.task_id)).state, seen.state);
      const cancelled = await a.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST' });
      assert.equal(cancelled.status, 200);
      await waitForState(viaB, task.task_id, ['cancelled'], 5_000);
    });

    it('stops caching while its feed is down and listens again by itself', async () => {
      const task = await submit(a, { agent_type: 'echo', prompt: 'slow', context: { delay_ms: 60_000 } });
      await waitForState(viaB, task.task_id, ['running']);
      const down = nextNotice(b, 'down');
      const upAgain = nextNotice(b, 'up');
      // Kill every LISTEN connection on this schema's channel: B's (and A's) feed goes down.
      const admin = new pg.Client({ connectionString: process.env['TEST_DATABASE_URL'] });
      await admin.connect();
      try {
        await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'LISTEN "sb_tasks_%' and pid <> pg_backend_pid()`);
      } finally {
        await admin.end();
      }
      await down;
      // A direct database change (no NOTIFY at all) is still seen: B reads the database while down.
      await a.app.store.db.updateTable('tasks').set({ progress: 42 }).where('id', '=', task.task_id).execute();
      await waitFor(async () => ((await getState(viaB, task.task_id)).progress === 42 ? true : undefined), 'B to read the database');
      await upAgain;
      assert.equal((await a.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST' })).status, 200);
      await waitForState(viaB, task.task_id, ['cancelled'], 5_000);
    });
  });
}
