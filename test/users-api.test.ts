/**
 * Users and API tokens end to end on every database: an admin creates a developer
 * (weak password refused), gives them a token that works, lists it without its
 * secret, revokes it (401 at once), disables the user (all tokens 401 at once);
 * a developer cannot create users or grant themselves admin (403, audited); no
 * response body ever carries a password, a hash or a token except the new token once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { verifyAuditChain } from '../src/security/audit/audit-chain.ts';
import { hashPassword, passwordWeakness, verifyPassword } from '../src/security/authentication/passwords.ts';

const PASSWORD = 'correct-Horse-42';

interface WireUser { id: string; username: string; roles: string[]; disabled: boolean; has_password: boolean }
interface WireToken { id: string; user_id: string; name: string; prefix: string; expires_at: string | null; revoked_at: string | null; token?: string }

describe('password policy and hashing', () => {
  it('refuses short and one-class passwords with a reason, and hashes with argon2id', async () => {
    assert.match(passwordWeakness('Short1!') ?? '', /at least 12/);
    assert.match(passwordWeakness('alllowercaseletters') ?? '', /two kinds/);
    assert.match(passwordWeakness('aaaaaaaaaaaaA') ?? '', /same few/);
    assert.equal(passwordWeakness(PASSWORD), undefined);
    const h = await hashPassword(PASSWORD);
    assert.match(h, /^\$argon2id\$/);
    assert.ok(!h.includes(PASSWORD));
    assert.equal(await verifyPassword(h, PASSWORD), true);
    assert.equal(await verifyPassword(h, 'correct-Horse-43'), false);
    assert.equal(await verifyPassword('garbage', PASSWORD), false);
  });
});

for (const dialect of DIALECTS) {
  describe(`users API on ${dialect}`, () => {
    let t: TestApp;
    const bodies: string[] = [];
    /** A request whose body is kept for the no-secrets check. */
    async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: unknown }> {
      const res = await t.request(path, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(token !== undefined ? { token } : {}),
      });
      const text = await res.text();
      bodies.push(text);
      return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
    }

    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('lets an admin create a developer, refuses weak passwords and taken names', async () => {
      const weak = await call('POST', '/api/users', { username: 'devin', password: 'short', roles: ['developer'] });
      assert.equal(weak.status, 422);
      assert.equal((weak.json as { error: { code: string } }).error.code, 'PASSWORD_TOO_WEAK');
      const created = await call('POST', '/api/users', { username: 'devin', password: PASSWORD, roles: ['developer'] });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const user = created.json as WireUser;
      assert.deepEqual(user.roles, ['developer']);
      assert.equal(user.has_password, true);
      assert.equal(user.disabled, false);
      const again = await call('POST', '/api/users', { username: 'devin', roles: [] });
      assert.equal(again.status, 409);
      const list = await call('GET', '/api/users');
      assert.equal(list.status, 200);
      assert.deepEqual((list.json as { users: WireUser[] }).users.map((u) => u.username).sort(), ['admin', 'devin']);
    });

    it('gives the developer tokens that work, lists them without secrets, and revokes at once', async () => {
      const devin = ((await call('GET', '/api/users')).json as { users: WireUser[] }).users.find((u) => u.username === 'devin');
      assert.ok(devin);
      const made = await call('POST', `/api/users/${devin.id}/tokens`, { name: 'ci' });
      assert.equal(made.status, 201);
      const first = made.json as WireToken & { token: string };
      assert.ok(first.token.startsWith('sbt_'));
      assert.ok(first.token.startsWith(first.prefix));
      const me = await call('GET', '/api/users/me', undefined, first.token);
      assert.equal(me.status, 200);
      assert.equal((me.json as WireUser).username, 'devin');
      // The developer makes a second token for themself (own tokens need no admin:users).
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      const own = await call('POST', `/api/users/${devin.id}/tokens`, { name: 'laptop', expires_at: expires }, first.token);
      assert.equal(own.status, 201);
      const second = own.json as WireToken & { token: string };
      const listed = await call('GET', `/api/users/${devin.id}/tokens`, undefined, first.token);
      assert.equal(listed.status, 200);
      const tokens = (listed.json as { tokens: WireToken[] }).tokens;
      assert.deepEqual(tokens.map((x) => x.name), ['ci', 'laptop']);
      for (const x of tokens) assert.equal(x.token, undefined);
      assert.ok(!JSON.stringify(listed.json).includes(first.token));
      assert.equal(tokens[1]?.expires_at, expires);

      // Warm the authenticator's cache, then revoke: the very next request fails.
      assert.equal((await call('GET', '/api/users/me', undefined, first.token)).status, 200);
      const revoked = await call('DELETE', `/api/users/${devin.id}/tokens/${first.id}`, undefined, second.token);
      assert.equal(revoked.status, 200);
      assert.ok((revoked.json as WireToken).revoked_at !== null);
      assert.equal((await call('GET', '/api/users/me', undefined, first.token)).status, 401);
      assert.equal((await call('GET', '/api/users/me', undefined, second.token)).status, 200);
      const missing = await call('DELETE', `/api/users/${devin.id}/tokens/00000000-0000-4000-8000-000000000000`);
      assert.equal(missing.status, 404);

      const events = await t.app.store.tasks.listAudit(0, 10_000);
      assert.ok(events.some((e) => e.eventType === 'resource.deleted' && e.resourceId === first.id && e.userId === devin.id));
      assert.ok(events.some((e) => e.action === 'token.create' && e.resourceId === second.id));
    });

    it('refuses a developer creating users, reading others or granting themself admin (403, audited)', async () => {
      const dev = await t.createUser('dora', ['developer']);
      const admin = ((await call('GET', '/api/users/me')).json as WireUser).id;
      const create = await call('POST', '/api/users', { username: 'evil', roles: ['admin'] }, dev.token);
      assert.equal(create.status, 403);
      const grant = await call('PATCH', `/api/users/${dev.userId}`, { roles: ['admin'] }, dev.token);
      assert.equal(grant.status, 403);
      assert.equal((await call('GET', '/api/users', undefined, dev.token)).status, 403);
      assert.equal((await call('GET', `/api/users/${admin}/tokens`, undefined, dev.token)).status, 403);
      assert.equal((await call('POST', `/api/users/${admin}/tokens`, { name: 'x' }, dev.token)).status, 403);
      const me = (await call('GET', '/api/users/me', undefined, dev.token)).json as WireUser;
      assert.deepEqual(me.roles, ['developer']);
      const denials = (await t.app.store.tasks.listAudit(0, 10_000)).filter((e) => e.eventType === 'permission.denied' && e.userId === dev.userId);
      assert.equal(denials.length, 5);
      assert.ok(denials.every((e) => e.status === 'denied'));
    });

    it('stops every token of a disabled user at once, and changes roles with audit', async () => {
      const dev = await t.createUser('dexter', ['developer']);
      assert.equal((await call('GET', '/api/users/me', undefined, dev.token)).status, 200);
      const roles = await call('PATCH', `/api/users/${dev.userId}`, { roles: ['viewer'] });
      assert.equal(roles.status, 200);
      assert.deepEqual((roles.json as WireUser).roles, ['viewer']);
      // The cached principal is gone: the new role applies to the next request.
      const submit = await t.request('/api/runtime/tasks/submit', { method: 'POST', token: dev.token, body: JSON.stringify({ agent_type: 'echo', prompt: 'x' }) });
      assert.equal(submit.status, 403);
      const off = await call('PATCH', `/api/users/${dev.userId}`, { disabled: true });
      assert.equal(off.status, 200);
      assert.equal((off.json as WireUser).disabled, true);
      assert.equal((await call('GET', '/api/users/me', undefined, dev.token)).status, 401);
      const self = await call('PATCH', `/api/users/${((await call('GET', '/api/users/me')).json as WireUser).id}`, { disabled: true });
      assert.equal(self.status, 400);
      // Nor can an admin take their own admin role away: nobody might be left to give it back.
      const adminId = ((await call('GET', '/api/users/me')).json as WireUser).id;
      const demote = await call('PATCH', `/api/users/${adminId}`, { roles: ['developer'] });
      assert.equal(demote.status, 400);
      assert.match(JSON.stringify(demote.json), /your own admin:users/);
      assert.deepEqual(((await call('GET', '/api/users/me')).json as WireUser).roles, ['admin']);
      const on = await call('PATCH', `/api/users/${dev.userId}`, { disabled: false, password: PASSWORD });
      assert.equal(on.status, 200);
      assert.equal((on.json as WireUser).has_password, true);
      assert.equal((await call('GET', '/api/users/me', undefined, dev.token)).status, 200);
      const audit = (await t.app.store.tasks.listAudit(0, 10_000)).filter((e) => e.resourceId === dev.userId);
      assert.deepEqual(
        audit.map((e) => `${e.eventType}:${e.action}`),
        ['permission.granted:user.roles', 'permission.revoked:user.roles', 'resource.modified:user.disable', 'resource.modified:user.enable', 'resource.modified:user.password'],
      );
      assert.equal(await t.app.store.credentials.getUser('nope'), undefined);
      assert.equal((await call('PATCH', '/api/users/nope', { disabled: true })).status, 404);
      const verdict = await verifyAuditChain(t.app.store.tasks);
      assert.equal(verdict.ok, true);
    });

    it('lets a user set and change their own password without admin:users, and ends their other sessions', async () => {
      const NEXT = 'battery-Staple-77';
      const dev = await t.createUser('paula', ['viewer']);
      // Token-only so far: the first password needs no current one.
      const first = await call('POST', '/api/users/me/password', { new_password: PASSWORD }, dev.token);
      assert.equal(first.status, 200, JSON.stringify(first.json));
      assert.equal((first.json as WireUser).has_password, true);
      const login = async (password: string) => call('POST', '/api/auth/login', { username: 'paula', password }, undefined);
      const a = (await login(PASSWORD)).json as { token: string };
      const b = (await login(PASSWORD)).json as { token: string };
      const code = (r: { json: unknown }) => (r.json as { error: { code: string } }).error.code;
      const missing = await call('POST', '/api/users/me/password', { new_password: NEXT }, a.token);
      assert.equal(missing.status, 403);
      assert.equal(code(missing), 'CURRENT_PASSWORD_WRONG');
      const wrong = await call('POST', '/api/users/me/password', { current_password: 'not-Her-password-1', new_password: NEXT }, a.token);
      assert.equal(code(wrong), 'CURRENT_PASSWORD_WRONG');
      const weak = await call('POST', '/api/users/me/password', { current_password: PASSWORD, new_password: 'short' }, a.token);
      assert.equal(weak.status, 422);
      assert.equal(code(weak), 'PASSWORD_TOO_WEAK');
      assert.equal((await login(PASSWORD)).status, 201, 'nothing changed yet');
      const changed = await call('POST', '/api/users/me/password', { current_password: PASSWORD, new_password: NEXT }, a.token);
      assert.equal(changed.status, 200);
      assert.equal((await call('GET', '/api/users/me', undefined, a.token)).status, 200, 'the session that changed it stays');
      assert.equal((await call('GET', '/api/users/me', undefined, b.token)).status, 401, 'another session of hers has ended');
      assert.equal((await login(PASSWORD)).status, 401);
      assert.equal((await login(NEXT)).status, 201);
      const audit = (await t.app.store.tasks.listAudit(0, 10_000)).filter((e) => e.action === 'user.password' && e.resourceId === dev.userId);
      assert.deepEqual(audit.map((e) => e.status), ['success', 'denied', 'denied', 'success']);
      assert.equal(audit[3]?.details['sessions_ended'], 2, 'b and the check login of the old password');
      assert.equal(JSON.stringify(audit).includes(NEXT), false);
    });

    it('never returns a password, a hash or a token except the new token once', async () => {
      const rows = await t.app.store.db.selectFrom('users').select('password_hash').where('password_hash', 'is not', null).execute();
      const hashes = rows.map((r) => r.password_hash ?? '');
      assert.ok(hashes.length >= 2);
      const tokenBodies = bodies.filter((b) => b.includes('"token":"sbt_'));
      assert.equal(tokenBodies.length, 2); // the two creations in the token test
      for (const b of bodies) {
        assert.ok(!b.includes(PASSWORD), 'a password in a response');
        assert.ok(!b.includes('argon2'), 'a hash in a response');
        for (const h of hashes) assert.ok(!b.includes(h));
        assert.ok(!b.includes(t.adminToken));
      }
      const audit = JSON.stringify(await t.app.store.tasks.listAudit(0, 10_000));
      assert.ok(!audit.includes(PASSWORD) && !audit.includes('argon2') && !audit.includes(t.adminToken));
    });
  });
}
