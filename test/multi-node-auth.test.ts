/**
 * Authentication across the nodes of one PostgreSQL database: failed logins for one
 * account spread over two nodes reach the per-account limit on both; device
 * challenges asked of two nodes count together; a session ended through one node is
 * refused by the other as soon as the database's notification arrives, although that
 * node had it cached.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { throughOther } from './helpers/change-feed.ts';
import type { CacheInvalidation } from '../src/core/ports/cache-invalidations.ts';

const PASSWORD = 'Cluster-limits-are-shared-9';

for (const dialect of DIALECTS.filter((d) => d === 'postgres')) {
  describe(`authentication across nodes on ${dialect}`, () => {
    let a: TestApp;
    let b: TestApp;

    before(async () => {
      a = await startTestApp(dialect);
      b = throughOther(a, await startTestApp(dialect, { db: a.db }));
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    const login = (t: TestApp, password: string) =>
      t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'nora', password }) });

    it('counts failed logins of one account made through either node', async () => {
      assert.equal((await a.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'nora', password: PASSWORD, roles: ['viewer'] }) })).status, 201);
      // Five wrong guesses (the per-account limit), alternating between the nodes.
      for (let i = 0; i < 5; i++) assert.equal((await login(i % 2 === 0 ? a : b, `wrong-Guess-${i}`)).status, 401);
      for (const t of [a, b]) {
        const limited = await login(t, PASSWORD);
        assert.equal(limited.status, 429, 'limited on every node');
        assert.ok(Number(limited.headers.get('retry-after')) > 0);
      }
    });

    it('refuses a session on node B as soon as it is ended through node A, though B had it cached', async () => {
      assert.equal((await a.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'otto', password: PASSWORD, roles: ['viewer'] }) })).status, 201);
      const res = await a.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'otto', password: PASSWORD }) });
      assert.equal(res.status, 201);
      const s = (await res.json()) as { token: string; session_id: string; user_id: string };
      // Cached on B now (for a second).
      assert.equal((await b.request('/api/users/me', { token: s.token })).status, 200);
      const feed = b.app.store.invalidations;
      assert.ok(feed !== undefined);
      const told = new Promise<CacheInvalidation>((resolve) => {
        const stop = feed.subscribe((i) => {
          if (i.kind === 'user' && i.userId === s.user_id) {
            stop();
            resolve(i);
          }
        });
      });
      assert.equal((await a.request(`/api/runtime/sessions/${s.session_id}`, { method: 'DELETE', token: s.token })).status, 200);
      await told;
      assert.equal((await b.request('/api/users/me', { token: s.token })).status, 401);
    });

    it('counts device challenges asked of either node', async () => {
      const deviceId = `dev-${randomBytes(4).toString('hex')}`;
      const ask = (t: TestApp) => t.request('/api/auth/device-challenge', { method: 'POST', token: null, body: JSON.stringify({ device_id: deviceId }) });
      for (let i = 0; i < 10; i++) assert.equal((await ask(i % 2 === 0 ? a : b)).status, 201);
      assert.equal((await ask(a)).status, 429);
      assert.equal((await ask(b)).status, 429);
    });
  });
}
