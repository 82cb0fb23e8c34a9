/**
 * Password login and sessions on every database: success, wrong password and unknown
 * user get the same answer (audited), failures are rate-limited (429 + Retry-After),
 * the session works as a bearer credential and moves its idle deadline, logout and
 * idle expiry (injected clock) end it, a disabled user's sessions stop at once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

const PASSWORD = 'Sessions-are-fun-7';
const IDLE_MS = 60_000;

interface WireSession { session_id: string; user_id: string; device_id: string | null; token: string; expires_at: string; permissions: string[] }

for (const dialect of DIALECTS) {
  describe(`login and sessions on ${dialect}`, () => {
    let t: TestApp;
    let offset = 0;
    let userId = '';
    const clock = { now: () => Date.now() + offset };
    const login = (body: Record<string, unknown>) =>
      t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify(body) });

    before(async () => {
      t = await startTestApp(dialect, { app: { clock, sessions: { idleMs: IDLE_MS, absoluteMs: 10 * IDLE_MS } } });
      const res = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'lena', password: PASSWORD, roles: ['developer'] }) });
      assert.equal(res.status, 201);
      userId = ((await res.json()) as { id: string }).id;
    });
    after(async () => t.close());

    it('logs in, the session works as a bearer and is refreshed on activity', async () => {
      const res = await login({ username: 'lena', password: PASSWORD, device_id: 'laptop-1' });
      assert.equal(res.status, 201);
      const s = (await res.json()) as WireSession;
      assert.match(s.token, /^sbs_[A-Za-z0-9_-]{43}$/);
      assert.equal(s.user_id, userId);
      assert.equal(s.device_id, 'laptop-1');
      assert.ok(s.permissions.includes('task:submit'));
      const me = await t.request('/api/users/me', { token: s.token });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { username: string }).username, 'lena');
      // The session id (not the secret) is what the audit log sees.
      const task = await t.request('/api/runtime/tasks/submit', { method: 'POST', token: s.token, body: JSON.stringify({ agent_type: 'echo', prompt: 'hi' }) });
      assert.equal(task.status, 202);
      const audit = await t.app.store.tasks.listAudit(0, 10_000);
      assert.ok(audit.some((e) => e.eventType === 'task.submitted' && e.sessionId === s.session_id));
      assert.ok(audit.some((e) => e.eventType === 'session.created' && e.status === 'success' && e.resourceId === s.session_id));
      assert.ok(!JSON.stringify(audit).includes(s.token));
      const row = await t.app.store.db.selectFrom('sessions').selectAll().where('id', '=', s.session_id).executeTakeFirstOrThrow();
      assert.notEqual(row.secret_hash, s.token);
      // Idle expiry: activity within the idle window keeps it alive; a full idle window ends it.
      offset += IDLE_MS * 0.75;
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 200);
      offset += IDLE_MS * 0.75;
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 200);
      offset += IDLE_MS + 1_000;
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 401);
    });

    it('logs out: the session stops at once; someone else cannot revoke it', async () => {
      const s = (await (await login({ username: 'lena', password: PASSWORD })).json()) as WireSession;
      const other = await t.createUser('omar', ['developer']);
      const foreign = await t.request(`/api/runtime/sessions/${s.session_id}`, { method: 'DELETE', token: other.token });
      assert.equal(foreign.status, 404);
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 200);
      const out = await t.request(`/api/runtime/sessions/${s.session_id}`, { method: 'DELETE', token: s.token });
      assert.equal(out.status, 200);
      assert.ok(((await out.json()) as { revoked_at: string | null }).revoked_at !== null);
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 401);
    });

    it('stops a disabled user\'s sessions at once and refuses their login the same way', async () => {
      const s = (await (await login({ username: 'lena', password: PASSWORD })).json()) as WireSession;
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 200);
      assert.equal((await t.request(`/api/users/${userId}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) })).status, 200);
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 401);
      const again = await login({ username: 'lena', password: PASSWORD });
      assert.equal(again.status, 401);
      assert.equal((await t.request(`/api/users/${userId}`, { method: 'PATCH', body: JSON.stringify({ disabled: false }) })).status, 200);
    });

    it('answers a wrong password and an unknown user alike, audits each, and rate-limits', async () => {
      const wrong = await login({ username: 'lena', password: 'not-the-password-1' });
      const unknown = await login({ username: 'nobody', password: 'not-the-password-1' });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual(await wrong.json(), await unknown.json());
      const failures = (await t.app.store.tasks.listAudit(0, 10_000)).filter((e) => e.action === 'auth.login' && e.status === 'failure');
      assert.ok(failures.some((e) => e.userId === userId && e.details['reason'] === 'wrong password'));
      assert.ok(failures.some((e) => e.userId === null && e.details['username'] === 'nobody'));
      assert.ok(!JSON.stringify(failures).includes('not-the-password-1'));
      // lena had one failure (+1 from the disabled attempt): three more reach the limit of 5.
      for (let i = 0; i < 3; i++) assert.equal((await login({ username: 'lena', password: `wrong-Password-${i}` })).status, 401);
      const limited = await login({ username: 'lena', password: PASSWORD });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'AUTH_RATE_LIMITED');
      // The window passes: the right password works again.
      offset += 15 * 60_000 + 1_000;
      assert.equal((await login({ username: 'lena', password: PASSWORD })).status, 201);
    });
  });
}
