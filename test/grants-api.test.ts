/**
 * Grants and task visibility end to end on every database: granting and revoking a
 * role or a single permission is audited (`permission.granted` / `permission.revoked`)
 * and effective on the very next request; a granter can only grant what it holds; a
 * project policy that names a caller lets them see (not cancel) others' tasks of that
 * project, and nobody else.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

interface Reply { status: number; json: Record<string, unknown> & { error?: { code: string; message: string } } }
interface WireGrant { user: { id: string; roles: string[]; grants: string[] }; changed: boolean }
interface AuditEvent { event_type: string; user_id: string; resource_id: string; action: string; details: Record<string, unknown> }

for (const dialect of DIALECTS) {
  describe(`grants and project visibility on ${dialect}`, () => {
    let t: TestApp;

    async function call(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
      const res = await t.request(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(token !== undefined ? { token } : {}) });
      const text = await res.text();
      return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Reply['json']) };
    }
    const submit = (token: string, extra: Record<string, unknown> = {}) =>
      call('POST', '/api/runtime/tasks/submit', { agent_type: 'echo', prompt: 'hi', ...extra }, token);
    const grantsOf = async (userId: string, type: string): Promise<AuditEvent[]> =>
      ((await call('GET', `/api/audit/events?resource_id=${userId}&event_type=${type}`)).json as unknown as { events: AuditEvent[] }).events;

    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('grants and revokes a role, audited and effective at once', async () => {
      const vic = await t.createUser('vic', ['viewer']);
      assert.equal((await submit(vic.token)).status, 403, 'a viewer cannot submit (and the answer is cached)');
      const granted = await call('POST', `/api/users/${vic.userId}/roles`, { role: 'developer' });
      assert.equal(granted.status, 200, JSON.stringify(granted.json));
      const g = granted.json as unknown as WireGrant;
      assert.equal(g.changed, true);
      assert.deepEqual(g.user.roles.sort(), ['developer', 'viewer']);
      assert.equal((await submit(vic.token)).status, 202, 'the grant applies to the very next request');
      const again = (await call('POST', `/api/users/${vic.userId}/roles`, { role: 'developer' })).json as unknown as WireGrant;
      assert.equal(again.changed, false);
      const records = await grantsOf(vic.userId, 'permission.granted');
      assert.equal(records.length, 1, 'a grant that changes nothing writes nothing');
      assert.deepEqual(records[0]?.details, { role: 'developer' });
      assert.equal(records[0]?.action, 'user.grant');

      const revoked = await call('DELETE', `/api/users/${vic.userId}/roles/developer`);
      assert.equal(revoked.status, 200);
      assert.equal((await submit(vic.token)).status, 403, 'the revoke applies to the very next request');
      assert.deepEqual((await grantsOf(vic.userId, 'permission.revoked'))[0]?.details, { role: 'developer' });
      assert.equal((await call('POST', `/api/users/${vic.userId}/roles`, { role: 'root' })).status, 400);
      assert.equal((await call('POST', '/api/users/00000000-0000-4000-8000-000000000000/roles', { role: 'viewer' })).status, 404);
    });

    it('grants and revokes single permissions, audited and effective at once', async () => {
      const gus = await t.createUser('gus', ['guest']);
      assert.equal((await call('GET', '/api/runtime/tasks', undefined, gus.token)).status, 403);
      const made = await call('POST', `/api/users/${gus.userId}/permissions`, { permission: 'task:view' });
      assert.equal(made.status, 200);
      assert.deepEqual((made.json as unknown as WireGrant).user.grants, ['task:view']);
      assert.equal((await call('GET', '/api/runtime/tasks', undefined, gus.token)).status, 200);
      assert.equal((await call('DELETE', `/api/users/${gus.userId}/permissions/task:view`)).status, 200);
      assert.equal((await call('GET', '/api/runtime/tasks', undefined, gus.token)).status, 403);
      assert.deepEqual((await grantsOf(gus.userId, 'permission.granted'))[0]?.details, { permission: 'task:view' });
      assert.deepEqual((await grantsOf(gus.userId, 'permission.revoked'))[0]?.details, { permission: 'task:view' });
      assert.equal((await call('POST', `/api/users/${gus.userId}/permissions`, { permission: 'task:fly' })).status, 400);
    });

    it('lets a granter grant only what it holds, and needs admin:users at all', async () => {
      const ursula = await t.createUser('ursula', ['developer']);
      const target = await t.createUser('tom', ['guest']);
      const noAdmin = await call('POST', `/api/users/${target.userId}/roles`, { role: 'viewer' }, ursula.token);
      assert.equal(noAdmin.status, 403);
      assert.equal((await call('POST', `/api/users/${ursula.userId}/permissions`, { permission: 'admin:users' })).status, 200);
      assert.equal((await call('POST', `/api/users/${target.userId}/roles`, { role: 'developer' }, ursula.token)).status, 200);
      const tooMuch = await call('POST', `/api/users/${target.userId}/roles`, { role: 'admin' }, ursula.token);
      assert.equal(tooMuch.status, 403);
      assert.match(tooMuch.json.error?.message ?? '', /cannot grant role admin without/);
      assert.equal((await call('POST', `/api/users/${target.userId}/permissions`, { permission: 'admin:system' }, ursula.token)).status, 403);
      const self = await call('DELETE', `/api/users/${ursula.userId}/permissions/admin:users`, undefined, ursula.token);
      assert.equal(self.status, 400, 'nobody revokes their own admin:users');
      const denials = (await call('GET', `/api/audit/users/${ursula.userId}/activity?event_type=permission.denied`)).json as unknown as { events: AuditEvent[] };
      assert.ok(denials.events.length >= 3);
    });

    it('shows others\' tasks of a project only to callers a project policy names', async () => {
      const owner = await t.createUser('olive', ['developer']);
      const watcher = await t.createUser('wade', ['viewer']);
      const stranger = await t.createUser('sam', ['developer']);
      const task = (await submit(owner.token, { project_id: 'apollo' })).json as { task_id: string };
      const other = (await submit(owner.token, { project_id: 'zeus' })).json as { task_id: string };
      const state = (id: string, token: string) => call('GET', `/api/runtime/tasks/${id}/state`, undefined, token);
      assert.equal((await state(task.task_id, watcher.token)).status, 404, 'not visible before the policy');

      const made = await call('POST', '/api/policies', { id: 'apollo-watchers', resource_type: 'project', resource_id: 'apollo', permissions: ['task:view'], allowed_users: ['wade'] });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      assert.equal((await state(task.task_id, watcher.token)).status, 200, 'visible at once through the project policy');
      const events = await t.request(`/api/runtime/tasks/${task.task_id}/events`, { token: watcher.token, headers: { accept: 'application/json' } });
      assert.equal(events.status, 200);
      assert.equal((await state(other.task_id, watcher.token)).status, 404, 'other projects stay hidden');
      assert.equal((await state(task.task_id, stranger.token)).status, 404, 'callers the policy does not name see nothing');
      assert.equal((await call('POST', `/api/runtime/tasks/${task.task_id}/cancel`, {}, watcher.token)).status, 403, 'a viewer has no task:cancel');

      const listed = (await call('GET', '/api/runtime/tasks?project_id=apollo', undefined, watcher.token)).json as { tasks: { task_id: string }[] };
      assert.deepEqual(listed.tasks.map((x) => x.task_id), [task.task_id]);
      const own = (await call('GET', '/api/runtime/tasks', undefined, watcher.token)).json as { tasks: unknown[] };
      assert.equal(own.tasks.length, 0, 'without the project filter: only their own tasks');
      const strangerList = (await call('GET', '/api/runtime/tasks?project_id=apollo', undefined, stranger.token)).json as { tasks: unknown[] };
      assert.equal(strangerList.tasks.length, 0);

      // Cancelling someone else's task takes a policy naming the caller for task:cancel.
      const cora = await t.createUser('cora', ['developer']);
      const slow = (await submit(owner.token, { project_id: 'apollo', context: { delay_ms: 600_000 } })).json as { task_id: string };
      const cancel = () => call('POST', `/api/runtime/tasks/${slow.task_id}/cancel`, {}, cora.token);
      assert.equal((await cancel()).status, 404);
      assert.equal((await call('POST', '/api/policies', { id: 'apollo-cancellers', resource_type: 'project', resource_id: 'apollo', permissions: ['task:cancel'], allowed_users: ['cora'] })).status, 201);
      const cancelled = await cancel();
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.json));
      assert.equal(cancelled.json['state'], 'cancelled');

      // Submitting to the project is a project action: a deny on project:apollo stops it.
      assert.equal((await call('POST', '/api/policies', { id: 'apollo-no-sam', resource_type: 'project', resource_id: 'apollo', permissions: ['task:submit'], denied_users: ['sam'] })).status, 201);
      assert.equal((await submit(stranger.token, { project_id: 'apollo' })).status, 403);
      assert.equal((await submit(stranger.token, { project_id: 'zeus' })).status, 202);
    });
  });
}
