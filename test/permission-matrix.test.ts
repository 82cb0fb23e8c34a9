/**
 * The permission matrix, generated from the role table of src/core/permissions.ts:
 * every endpoint × every role gets exactly the expected status (the endpoint's
 * success status when the role holds the endpoint's permissions, else 403 with a
 * `permission.denied` record naming the permission), and every endpoint refuses with
 * 401 a request without a credential, with an expired session, with a revoked token
 * and with a token of a disabled user. A completeness check reads /openapi.json: an
 * endpoint missing from the table fails the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { waitForState } from './helpers/api.ts';
import { ROLE_PERMISSIONS, Roles, type Permission, type Role } from '../src/core/domain/permissions.ts';
import type { Caller, Principal } from '../src/core/domain/caller.ts';
import { MATRIX, MATRIX_PROJECT, PUBLIC_ENDPOINTS, type Fixture, type MatrixRow, type RoleFixture } from './helpers/permission-matrix-rows.ts';

const PASSWORD = 'Matrix-password-77';

/** True when the role table gives `role` every permission of the row. */
function allowed(role: Role, row: MatrixRow): boolean {
  return row.permissions.every((p: Permission) => ROLE_PERMISSIONS[role].includes(p));
}

for (const dialect of DIALECTS) {
  describe(`permission matrix on ${dialect}`, () => {
    let t: TestApp;
    let fx: Fixture;

    async function roleFixture(role: Role): Promise<RoleFixture> {
      const res = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: `m-${role}`, password: PASSWORD, roles: [role] }) });
      assert.equal(res.status, 201, `creating the ${role}`);
      const user = (await res.json()) as { id: string };
      const tok = await t.request(`/api/users/${user.id}/tokens`, { method: 'POST', body: JSON.stringify({ name: 'matrix' }) });
      const token = ((await tok.json()) as { token: string }).token;
      const principal: Principal = { id: user.id, username: `m-${role}`, kind: 'user', roles: [role], grants: [] };
      const caller: Caller = { principal, via: 'token' };
      // The engine (not the secured runtime) makes each role its own tasks: one done, one
      // running for a long time (to cancel), one waiting for an answer.
      const done = (await t.app.engine.submit(caller, { agentType: 'echo', prompt: `done by ${role}` })).task.id;
      const running = (await t.app.engine.submit(caller, { agentType: 'echo', prompt: 'slow', context: { delay_ms: 600_000 } })).task.id;
      const waiting = (await t.app.engine.submit(caller, { agentType: 'echo', prompt: 'ask', context: { ask: 'go?' } })).task.id;
      await waitForState(t, done, ['completed']);
      await waitForState(t, running, ['running']);
      await waitForState(t, waiting, ['waiting']);
      const admin = async (path: string, body: unknown): Promise<string> => {
        const res = await t.request(path, { method: 'POST', body: JSON.stringify(body) });
        assert.equal(res.status, 201, `${path} for the ${role}`);
        return ((await res.json()) as { key: string }).key;
      };
      const board = {
        card: await admin('/api/tasks', { project_id: MATRIX_PROJECT, title: `card of the ${role}` }),
        spareCard: await admin('/api/tasks', { project_id: MATRIX_PROJECT, title: `spare card of the ${role}` }),
        spareProject: await admin('/api/projects', { name: `spare of the ${role}`, key: `SPARE${role.toUpperCase()}` }),
      };
      return { role, userId: user.id, token, tasks: { done, running, waiting }, board };
    }

    before(async () => {
      t = await startTestApp(dialect, { env: { SWITCHBOARD_CONCURRENCY: '16' } });
      assert.equal((await t.request('/api/projects', { method: 'POST', body: JSON.stringify({ name: 'Matrix', key: MATRIX_PROJECT }) })).status, 201);
      const roles = {} as Record<Role, RoleFixture>;
      for (const role of Roles) roles[role] = await roleFixture(role);
      const login = await t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'm-admin', password: PASSWORD }) });
      fx = { roles, other: roles.admin, otherSessionId: ((await login.json()) as { session_id: string }).session_id };
    });
    after(async () => t.close());

    it('lists every endpoint of /openapi.json in the matrix', async () => {
      const spec = (await (await t.request('/openapi.json', { token: null })).json()) as { paths: Record<string, Record<string, unknown>> };
      const listed = new Set([...MATRIX.map((r) => `${r.method} ${r.route}`), ...PUBLIC_ENDPOINTS]);
      const missing: string[] = [];
      for (const [path, ops] of Object.entries(spec.paths)) {
        for (const method of Object.keys(ops)) {
          const key = `${method.toUpperCase()} ${path}`;
          if (!listed.has(key)) missing.push(key);
        }
      }
      assert.deepEqual(missing, [], 'endpoints without a row in the permission matrix');
    });

    // Denials come first and the admin's successes last, so that an admin action that
    // consumes its object (a revoke, a delete) runs after every refusal.
    const order: Role[] = [...Roles].sort((a, b) => ROLE_PERMISSIONS[a].length - ROLE_PERMISSIONS[b].length);
    for (const role of order) {
      it(`gives the ${role} exactly what the role table allows`, async () => {
        const failures: string[] = [];
        for (const row of MATRIX) {
          const me = fx.roles[role];
          const before = (await t.app.engine.audit.auditHead()).seq;
          const init = row.request(fx, me);
          const res = await t.request(init.path, {
            method: row.method,
            token: me.token,
            ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
            headers: { accept: 'application/json', ...row.headers },
          });
          await res.arrayBuffer();
          const expected = allowed(role, row) ? row.ok : (row.denied ?? 403);
          if (res.status !== expected) {
            failures.push(`${row.method} ${row.route}: ${res.status}, expected ${expected}`);
            continue;
          }
          if (!allowed(role, row)) {
            const page = await t.app.store.tasks.queryAudit({ eventType: 'permission.denied', userId: me.userId, limit: 20 });
            const fresh = page.items.filter((r) => r.seq > before);
            if (!fresh.some((r) => row.permissions.includes(r.action as Permission) || r.action === row.deniedAs)) {
              failures.push(`${row.method} ${row.route}: refused without a permission.denied record`);
            }
          }
        }
        assert.deepEqual(failures, []);
      });
    }

    it('refuses every endpoint with 401 without a credential, with an expired session, a revoked token or a disabled user', async () => {
      // An expired session: a real login whose idle deadline is moved into the past.
      const dev = fx.roles.developer;
      const login = await t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'm-developer', password: PASSWORD }) });
      const session = (await login.json()) as { session_id: string; token: string };
      await t.app.store.db.updateTable('sessions').set({ expires_at: 1 }).where('id', '=', session.session_id).execute();
      // A revoked token of the developer.
      const made = await t.request(`/api/users/${dev.userId}/tokens`, { method: 'POST', body: JSON.stringify({ name: 'to-revoke' }) });
      const revoked = (await made.json()) as { id: string; token: string };
      assert.equal((await t.request(`/api/users/${dev.userId}/tokens/${revoked.id}`, { method: 'DELETE' })).status, 200);
      // A disabled user with a token that was valid.
      const d = await t.createUser('m-disabled', ['admin']);
      assert.equal((await t.request(`/api/users/${d.userId}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) })).status, 200);
      // Past the authenticator's short cache.
      await new Promise((r) => setTimeout(r, 1_100));
      const credentials: Array<[string, string | null]> = [
        ['none', null],
        ['expired session', session.token],
        ['revoked token', revoked.token],
        ['disabled user', d.token],
      ];
      const failures: string[] = [];
      for (const row of MATRIX) {
        const init = row.request(fx, dev);
        for (const [name, token] of credentials) {
          const res = await t.request(init.path, {
            method: row.method,
            token,
            ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
            headers: { accept: 'application/json', ...row.headers },
          });
          await res.arrayBuffer();
          if (res.status !== 401) failures.push(`${row.method} ${row.route} with ${name}: ${res.status}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
