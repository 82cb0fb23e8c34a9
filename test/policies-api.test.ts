/**
 * Resource policies end to end on every database: a denied user cannot run agent:gpt
 * while others can; an allowed_roles policy restricts an agent; an exact policy beats
 * a wildcard, but a deny in the wildcard still wins; a trusted device is required when
 * a policy says so (denials say why); `explain` names the deciding rule; every policy
 * change is audited and applies to the very next request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { createEchoAgent } from '../src/agents/echo/echo-agent.ts';
import type { AgentAdapter } from '../src/core/ports/agent-adapter.ts';
import type { Caller } from '../src/core/domain/caller.ts';
import { isSwitchboardError } from '../src/core/domain/errors.ts';

function namedAgent(agentType: string): AgentAdapter {
  const echo = createEchoAgent();
  return { ...echo, info: { ...echo.info, agentType, name: agentType } };
}

interface Reply { status: number; json: Record<string, unknown> & { error?: { code: string; message: string } } }
interface WirePolicy { id: string; allowed_users: string[]; denied_users: string[]; resource_id: string; created_at: string; updated_at: string }
interface WireExplanation { allowed: boolean; rule: string; reason: string; user_id: string; resource: string | null; steps: { rule: string; outcome: string; detail: string }[] }

for (const dialect of DIALECTS) {
  describe(`resource policies API on ${dialect}`, () => {
    let t: TestApp;
    let alice: { userId: string; token: string };
    let bob: { userId: string; token: string };

    async function call(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
      const res = await t.request(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(token !== undefined ? { token } : {}) });
      const text = await res.text();
      return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Reply['json']) };
    }
    const submit = (agent: string, token: string, extra: Record<string, unknown> = {}) =>
      call('POST', '/api/runtime/tasks/submit', { agent_type: agent, prompt: 'hi', ...extra }, token);

    before(async () => {
      t = await startTestApp(dialect, { extraAgents: [namedAgent('gpt'), namedAgent('gpt-4'), namedAgent('claude')] });
      alice = await t.createUser('alice', ['developer']);
      bob = await t.createUser('bob', ['developer']);
    });
    after(async () => t.close());

    it('denies a user listed in denied_users on agent:gpt while others still run it, and audits both', async () => {
      assert.equal((await submit('gpt', alice.token)).status, 202, 'allowed before the policy exists');
      const made = await call('POST', '/api/policies', { id: 'no-alice-gpt', resource_type: 'agent', resource_id: 'gpt', denied_users: ['alice'], description: 'alice may not use gpt' });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      const policy = made.json as unknown as WirePolicy;
      assert.deepEqual(policy.denied_users, [alice.userId], 'usernames are stored as ids');

      const denied = await submit('gpt', alice.token);
      assert.equal(denied.status, 403, 'applies to the very next request');
      assert.equal(denied.json.error?.code, 'AUTH_FORBIDDEN');
      assert.match(denied.json.error?.message ?? '', /denied by policy no-alice-gpt/);
      assert.equal((await submit('gpt', bob.token)).status, 202);
      assert.equal((await submit('claude', alice.token)).status, 202, 'other agents are not affected');

      const audit = (await call('GET', '/api/audit/events?resource_type=policy')).json as unknown as { events: { event_type: string; resource_id: string; action: string; details: Record<string, unknown> }[] };
      assert.deepEqual(audit.events.map((e) => [e.event_type, e.action, e.resource_id]), [['resource.modified', 'policy.create', 'no-alice-gpt']]);
      assert.equal(audit.events[0]?.details['resource'], 'agent:gpt');
      const denials = (await call('GET', `/api/audit/users/${alice.userId}/activity?event_type=permission.denied`)).json as unknown as { events: { resource_id: string; details: { reason: string } }[] };
      assert.ok(denials.events.some((e) => e.resource_id === 'gpt' && /no-alice-gpt/.test(e.details.reason)));

      assert.equal((await call('POST', '/api/policies', { id: 'no-alice-gpt', resource_type: 'agent', resource_id: 'x' })).json.error?.code, 'POLICY_ID_TAKEN');
      const gone = await call('DELETE', '/api/policies/no-alice-gpt');
      assert.equal(gone.status, 200);
      assert.equal((await submit('gpt', alice.token)).status, 202, 'deleting the policy lifts the deny at once');
      assert.equal((await call('GET', '/api/policies/no-alice-gpt')).status, 404);
      const deletes = (await call('GET', '/api/audit/events?resource_type=policy&event_type=resource.deleted')).json as unknown as { events: unknown[] };
      assert.equal(deletes.events.length, 1);
    });

    it('restricts an agent to allowed roles, and only admin:system manages policies', async () => {
      const body = { id: 'claude-admins', resource_type: 'agent', resource_id: 'claude', allowed_roles: ['admin'], permissions: ['agent:execute'] };
      const byDev = await call('POST', '/api/policies', body, bob.token);
      assert.equal(byDev.status, 403);
      assert.equal((await call('GET', '/api/policies', undefined, bob.token)).status, 403);
      assert.equal((await call('POST', '/api/policies', body)).status, 201);
      const denied = await submit('claude', bob.token);
      assert.equal(denied.status, 403);
      assert.match(denied.json.error?.message ?? '', /policy claude-admins allows only its listed roles and users/);
      assert.equal((await submit('claude', t.adminToken)).status, 202);

      // PUT replaces every rule: now bob is allowed by name too.
      const put = await call('PUT', '/api/policies/claude-admins', { resource_type: 'agent', resource_id: 'claude', allowed_roles: ['admin'], allowed_users: [bob.userId], permissions: ['agent:execute'] });
      assert.equal(put.status, 200, JSON.stringify(put.json));
      assert.equal((await submit('claude', bob.token)).status, 202);
      assert.equal((await submit('claude', alice.token)).status, 403);
      const list = (await call('GET', '/api/policies')).json as unknown as { policies: WirePolicy[] };
      assert.deepEqual(list.policies.map((p) => p.id), ['claude-admins']);
      assert.equal((await call('PUT', '/api/policies/nope', { resource_type: 'agent', resource_id: 'x' })).json.error?.code, 'POLICY_NOT_FOUND');
      assert.equal((await call('DELETE', '/api/policies/claude-admins')).status, 200);
    });

    it('lets an exact policy beat a wildcard, a longer prefix beat a shorter one, and a wildcard deny still win', async () => {
      assert.equal((await call('POST', '/api/policies', { id: 'agents-admin', resource_type: 'agent', resource_id: '*', allowed_roles: ['admin'] })).status, 201);
      assert.equal((await call('POST', '/api/policies', { id: 'gpt-family', resource_type: 'agent', resource_id: 'gpt*', allowed_users: ['bob'] })).status, 201);
      assert.equal((await call('POST', '/api/policies', { id: 'gpt-exact', resource_type: 'agent', resource_id: 'gpt', allowed_users: ['alice'] })).status, 201);
      assert.equal((await submit('claude', alice.token)).status, 403, '`*` applies where nothing more specific does');
      assert.equal((await submit('gpt', alice.token)).status, 202, 'exact beats the prefix and `*`');
      assert.equal((await submit('gpt', bob.token)).status, 403);
      assert.equal((await submit('gpt-4', bob.token)).status, 202, 'the prefix beats `*`');
      assert.equal((await submit('gpt-4', alice.token)).status, 403);

      assert.equal((await call('PUT', '/api/policies/agents-admin', { resource_type: 'agent', resource_id: '*', allowed_roles: ['admin'], denied_users: ['alice'] })).status, 200);
      const denied = await submit('gpt', alice.token);
      assert.equal(denied.status, 403, 'an explicit deny in the wildcard wins over the exact allow');
      assert.match(denied.json.error?.message ?? '', /denied by policy agents-admin/);

      const explained = (await call('POST', '/api/policies/explain', { permission: 'agent:execute', resource: 'agent:gpt-4' }, bob.token)).json as unknown as WireExplanation;
      assert.equal(explained.allowed, true);
      assert.equal(explained.rule, 'policy:gpt-family');
      assert.equal(explained.user_id, bob.userId);
      assert.deepEqual(explained.steps.map((s) => s.outcome), ['allow', 'pass', 'pass', 'allow']);
      assert.match(explained.steps[2]?.detail ?? '', /overridden/);

      for (const id of ['agents-admin', 'gpt-family', 'gpt-exact']) assert.equal((await call('DELETE', `/api/policies/${id}`)).status, 200);
    });

    it('requires a trusted device when a policy says so, and the denial says why', async () => {
      const made = await call('POST', '/api/policies', { id: 'gpt-device', resource_type: 'agent', resource_id: 'gpt', permissions: ['agent:execute'], require_trusted_device: true });
      assert.equal(made.status, 201);
      const overToken = await submit('gpt', bob.token);
      assert.equal(overToken.status, 403);
      assert.match(overToken.json.error?.message ?? '', /requires a trusted device/);

      const principal = { id: bob.userId, username: 'bob', kind: 'user' as const, roles: ['developer' as const], grants: [] };
      const trusted: Caller = { principal, via: 'session', deviceId: 'laptop', deviceTrust: 'trusted' };
      const pending: Caller = { principal, via: 'session', deviceId: 'phone', deviceTrust: 'pending' };
      const ok = await t.app.runtime.submit(trusted, { agentType: 'gpt', prompt: 'from a trusted device' });
      assert.equal(ok.task.state, 'pending');
      await assert.rejects(t.app.runtime.submit(pending, { agentType: 'gpt', prompt: 'x' }), (err: unknown) => {
        return isSwitchboardError(err, 'AUTH_FORBIDDEN') && /requires a trusted device \(device trust is pending\)/.test(err.message);
      });

      const asTrusted = (await call('POST', '/api/policies/explain', { permission: 'agent:execute', resource: 'agent:gpt', device_trust: 'trusted' }, bob.token)).json as unknown as WireExplanation;
      assert.equal(asTrusted.allowed, true);
      const asIs = (await call('POST', '/api/policies/explain', { permission: 'agent:execute', resource: 'agent:gpt' }, bob.token)).json as unknown as WireExplanation;
      assert.equal(asIs.allowed, false);
      assert.equal(asIs.rule, 'policy:gpt-device');
      assert.match(asIs.reason, /requires a trusted device/);
      assert.equal((await call('DELETE', '/api/policies/gpt-device')).status, 200);
    });

    it('explains for yourself, and for another user only with admin:users', async () => {
      const mine = (await call('POST', '/api/policies/explain', { permission: 'agent:configure', resource: 'agent:gpt' }, bob.token)).json as unknown as WireExplanation;
      assert.equal(mine.allowed, false);
      assert.equal(mine.rule, 'default-deny');
      assert.equal(mine.resource, 'agent:gpt');
      const other = await call('POST', '/api/policies/explain', { user_id: 'alice', permission: 'agent:execute' }, bob.token);
      assert.equal(other.status, 403);
      const byAdmin = (await call('POST', '/api/policies/explain', { user_id: 'alice', permission: 'agent:execute', resource: 'agent:gpt' })).json as unknown as WireExplanation;
      assert.equal(byAdmin.user_id, alice.userId);
      assert.equal(byAdmin.allowed, true);
      assert.equal(byAdmin.rule, 'role:developer');
      assert.equal((await call('POST', '/api/policies/explain', { user_id: 'nobody', permission: 'agent:execute' })).status, 404);
      assert.equal((await call('POST', '/api/policies/explain', { permission: 'agent:fly' })).status, 400);
    });

    it('refuses invalid policies with clear 400s', async () => {
      const bad = [
        { resource_type: 'agent', resource_id: 'de*ploy' },
        { resource_type: 'planet', resource_id: 'x' },
        { resource_type: 'agent', resource_id: 'x', denied_users: ['no-such-user'] },
        { resource_type: 'agent', resource_id: 'x', allowed_roles: ['root'] },
        { id: 'bad id', resource_type: 'agent', resource_id: 'x' },
        { resource_type: 'agent', resource_id: 'x', surprise: true },
      ];
      for (const body of bad) {
        const res = await call('POST', '/api/policies', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.json.error?.code, 'VALIDATION_FAILED');
      }
      const missingUser = await call('POST', '/api/policies', bad[2]);
      assert.match(missingUser.json.error?.message ?? '', /denied_users: no user no-such-user/);
      const roles = (await call('GET', '/api/roles', undefined, bob.token)).json as unknown as { roles: { role: string; permissions: string[] }[] };
      assert.deepEqual(roles.roles.map((r) => r.role), ['admin', 'developer', 'viewer', 'guest']);
      assert.deepEqual(roles.roles.find((r) => r.role === 'guest')?.permissions, ['agent:list', 'skill:list']);
    });
  });
}
