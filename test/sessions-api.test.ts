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

interface WireSessionInfo { session_id: string; user_id: string; device_id: string | null; expires_at: string; revoked_at: string | null; token?: string }

for (const dialect of DIALECTS) {
  describe(`POST /api/runtime/sessions and session listing on ${dialect}`, () => {
    let t: TestApp;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    let ada: { userId: string; token: string };
    let bob: { userId: string; token: string };
    const create = (token: string, body: Record<string, unknown> = {}) =>
      t.request('/api/runtime/sessions', { method: 'POST', token, body: JSON.stringify(body) });
    const made = async (token: string, body: Record<string, unknown> = {}): Promise<WireSession> => {
      const res = await create(token, body);
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as WireSession;
    };
    const list = async (token: string, query = ''): Promise<{ status: number; ids: string[]; users: string[] }> => {
      const res = await t.request(`/api/runtime/sessions${query}`, { token });
      if (res.status !== 200) return { status: res.status, ids: [], users: [] };
      const body = (await res.json()) as { sessions: WireSessionInfo[] };
      return { status: 200, ids: body.sessions.map((s) => s.session_id), users: body.sessions.map((s) => s.user_id) };
    };

    before(async () => {
      t = await startTestApp(dialect, { app: { clock, sessions: { idleMs: IDLE_MS, absoluteMs: 3 * IDLE_MS } } });
      ada = await t.createUser('ada', ['developer']);
      bob = await t.createUser('bob', ['developer']);
    });
    after(async () => t.close());

    it('creates a session from an API token: a public id, a bearer token shown once, audited', async () => {
      const res = await create(ada.token, { device_id: 'laptop-7' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const s = (await res.json()) as WireSession & { created_at: string; last_activity: string };
      assert.match(s.session_id, /^[0-9a-f-]{36}$/);
      assert.match(s.token, /^sbs_[A-Za-z0-9_-]{43}$/);
      assert.equal(s.user_id, ada.userId);
      assert.equal(s.device_id, 'laptop-7');
      assert.ok(s.permissions.includes('task:submit') && !s.permissions.includes('admin:users'));
      assert.equal(Date.parse(s.expires_at) - Date.parse(s.created_at), IDLE_MS);
      const me = await t.request('/api/users/me', { token: s.token });
      assert.equal(((await me.json()) as { id: string }).id, ada.userId);
      const shown = await t.request(`/api/runtime/sessions/${s.session_id}`, { token: ada.token });
      assert.equal(shown.status, 200);
      const view = (await shown.json()) as WireSessionInfo;
      assert.equal(view.session_id, s.session_id);
      assert.equal(view.token, undefined);
      const audit = await t.app.store.tasks.listAudit(0, 10_000);
      const created = audit.find((e) => e.eventType === 'session.created' && e.resourceId === s.session_id);
      assert.equal(created?.action, 'session.create');
      assert.equal(created?.userId, ada.userId);
      assert.equal(created?.details['owner_id'], ada.userId);
      assert.ok(!JSON.stringify(audit).includes(s.token));
    });

    it("refuses another user's id without admin:users (audited); an admin may create one for a user", async () => {
      const refused = await create(ada.token, { user_id: bob.userId });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'AUTH_FORBIDDEN');
      const audit = await t.app.store.tasks.listAudit(0, 10_000);
      assert.ok(audit.some((e) => e.eventType === 'permission.denied' && e.userId === ada.userId && e.action === 'session.create' && e.resourceId === bob.userId));
      const forBob = await made(t.adminToken, { user_id: bob.userId });
      assert.equal(forBob.user_id, bob.userId);
      const me = await t.request('/api/users/me', { token: forBob.token });
      assert.equal(((await me.json()) as { id: string }).id, bob.userId);
      const unknown = await create(t.adminToken, { user_id: crypto.randomUUID() });
      assert.equal(unknown.status, 404);
      assert.equal((await create(ada.token, { user_id: ada.userId })).status, 201);
      // A session may create another session of its own user.
      assert.equal((await create(forBob.token)).status, 201);
    });

    it("lists your live sessions; admin:users lists anyone's or all; others are refused", async () => {
      const a1 = await made(ada.token);
      const a2 = await made(ada.token);
      const b1 = await made(bob.token);
      const mine = await list(ada.token);
      assert.ok(mine.ids.includes(a1.session_id) && mine.ids.includes(a2.session_id));
      assert.ok(!mine.ids.includes(b1.session_id));
      assert.ok(mine.users.every((u) => u === ada.userId));
      assert.equal((await list(ada.token, `?user_id=${bob.userId}`)).status, 403);
      assert.equal((await list(ada.token, '?all=true')).status, 403);
      const bobs = await list(t.adminToken, `?user_id=${bob.userId}`);
      assert.ok(bobs.ids.includes(b1.session_id) && bobs.users.every((u) => u === bob.userId));
      const all = await list(t.adminToken, '?all=true');
      assert.ok(all.ids.includes(a1.session_id) && all.ids.includes(b1.session_id));
      // A revoked session is no longer listed.
      assert.equal((await t.request(`/api/runtime/sessions/${a2.session_id}`, { method: 'DELETE', token: ada.token })).status, 200);
      assert.ok(!(await list(ada.token)).ids.includes(a2.session_id));
    });

    it("hides another user's session (404, audited) and revokes your own at once", async () => {
      const s = await made(ada.token);
      const peek = await t.request(`/api/runtime/sessions/${s.session_id}`, { token: bob.token });
      assert.equal(peek.status, 404);
      assert.equal(((await peek.json()) as { error: { code: string } }).error.code, 'SESSION_NOT_FOUND');
      const audit = await t.app.store.tasks.listAudit(0, 10_000);
      assert.ok(audit.some((e) => e.eventType === 'permission.denied' && e.userId === bob.userId && e.action === 'session.read' && e.resourceId === s.session_id));
      assert.equal((await t.request(`/api/runtime/sessions/${s.session_id}`, { method: 'DELETE', token: bob.token })).status, 404);
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 200);
      const out = await t.request(`/api/runtime/sessions/${s.session_id}`, { method: 'DELETE', token: s.token });
      assert.equal(out.status, 200);
      assert.equal((await t.request('/api/users/me', { token: s.token })).status, 401);
      const after = (await (await t.request(`/api/runtime/sessions/${s.session_id}`, { token: ada.token })).json()) as WireSessionInfo;
      assert.notEqual(after.revoked_at, null);
      const deleted = (await t.app.store.tasks.listAudit(0, 10_000)).find((e) => e.eventType === 'session.deleted' && e.resourceId === s.session_id);
      assert.equal(deleted?.userId, ada.userId);
      // An admin revokes anyone's.
      const b = await made(bob.token);
      assert.equal((await t.request(`/api/runtime/sessions/${b.session_id}`, { method: 'DELETE' })).status, 200);
      assert.equal((await t.request('/api/users/me', { token: b.token })).status, 401);
    });

    it('ends a created session after the idle time, and at the absolute limit despite activity (injected clock)', async () => {
      const idle = await made(ada.token);
      const busy = await made(ada.token);
      // Busy stays alive by activity until the absolute limit (3 × idle); idle lapses after one idle period.
      offset += IDLE_MS * 0.75;
      assert.equal((await t.request('/api/users/me', { token: busy.token })).status, 200);
      offset += IDLE_MS * 0.5;
      assert.equal((await t.request('/api/users/me', { token: idle.token })).status, 401);
      assert.equal((await t.request('/api/users/me', { token: busy.token })).status, 200);
      for (let i = 0; i < 2; i++) {
        offset += IDLE_MS * 0.75;
        assert.equal((await t.request('/api/users/me', { token: busy.token })).status, 200);
      }
      offset += IDLE_MS * 0.75; // now past 3 × idle since creation
      assert.equal((await t.request('/api/users/me', { token: busy.token })).status, 401);
      assert.ok(!(await list(ada.token)).ids.includes(busy.session_id));
    });
  });
}
