/**
 * The policy-aware authorizer's cache: no store read per check, a change on this node
 * applies at once (invalidate), other nodes' changes are picked up after the TTL, and
 * a read that started before a change is never cached after it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicyAuthorizer } from '../../src/security/authorization/policy-authorizer.ts';
import type { Policy } from '../../src/core/domain/policy.ts';
import type { PolicyStore } from '../../src/core/ports/policy-store.ts';
import type { Caller } from '../../src/core/domain/caller.ts';

const dev: Caller = { principal: { id: 'alice', username: 'alice', kind: 'user', roles: ['developer'], grants: [] }, via: 'token' };
const gpt = { type: 'agent', id: 'gpt' } as const;
const denyAlice: Policy = {
  id: 'deny-alice',
  resourceType: 'agent',
  resourceId: 'gpt',
  permissions: [],
  allowedRoles: [],
  allowedUsers: [],
  deniedUsers: ['alice'],
  requiredPermissions: [],
  requireTrustedDevice: false,
  description: '',
  createdAt: 0,
  updatedAt: 0,
};

function fakeStore(initial: Policy[]) {
  const state = { policies: initial, reads: 0, gate: undefined as Promise<void> | undefined };
  const store: PolicyStore = {
    async listPolicies() {
      state.reads += 1;
      const snapshot = state.policies;
      if (state.gate !== undefined) await state.gate;
      return snapshot;
    },
    getPolicy: async () => undefined,
    createPolicy: async () => true,
    updatePolicy: async () => undefined,
    deletePolicy: async () => undefined,
  };
  return { store, state };
}

describe('policy authorizer cache', () => {
  it('reads the store once per TTL, not once per check', async () => {
    const clock = { t: 1000, now() { return this.t; } };
    const { store, state } = fakeStore([denyAlice]);
    const authz = createPolicyAuthorizer({ store, clock }, { cacheMs: 1000 });
    const results = await Promise.all(Array.from({ length: 50 }, () => authz.check(dev, 'agent:execute', gpt)));
    assert.ok(results.every((d) => !d.allowed));
    assert.equal(state.reads, 1);
    clock.t += 999;
    await authz.check(dev, 'agent:execute', gpt);
    assert.equal(state.reads, 1);
    // Another node deleted the policy: seen once the TTL has passed.
    state.policies = [];
    clock.t += 1;
    assert.equal((await authz.check(dev, 'agent:execute', gpt)).allowed, true);
    assert.equal(state.reads, 2);
  });

  it('never reads policies for checks the role table refuses or that name no resource', async () => {
    const clock = { now: () => 0 };
    const { store, state } = fakeStore([denyAlice]);
    const authz = createPolicyAuthorizer({ store, clock }, { cacheMs: 1000 });
    assert.equal((await authz.check(dev, 'agent:list', { type: 'agent', id: null })).allowed, true);
    assert.equal((await authz.check(dev, 'admin:system', gpt)).allowed, false);
    assert.equal(state.reads, 0);
  });

  it('applies a change on this node at once after invalidate, even over a read in flight', async () => {
    const clock = { now: () => 0 };
    const { store, state } = fakeStore([]);
    const authz = createPolicyAuthorizer({ store, clock }, { cacheMs: 60_000 });
    assert.equal((await authz.check(dev, 'agent:execute', gpt)).allowed, true);
    // A read starts, then the policy is created and the cache dropped before the read ends.
    let release = (): void => undefined;
    state.gate = new Promise<void>((resolve) => (release = resolve));
    authz.invalidate();
    const inFlight = authz.check(dev, 'agent:execute', gpt);
    state.policies = [denyAlice];
    authz.invalidate();
    state.gate = undefined;
    release();
    assert.equal((await inFlight).allowed, true, 'the old read answers its own caller');
    assert.equal((await authz.check(dev, 'agent:execute', gpt)).allowed, false, 'but is not cached past the change');
  });
});
