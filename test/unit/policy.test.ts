/**
 * Resource policy evaluation (src/core/policy.ts), rule by rule and in order:
 * (1) the role table must allow; (2) an explicit deny of any matching policy wins;
 * (3) the most specific matching policy decides (exact > longer prefix > shorter
 * prefix > `*`); (4) no matching policy: the role table decides.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, isResourcePattern, patternMatches, patternSpecificity, type Policy, type PolicyRules } from '../../src/core/domain/policy.ts';
import type { Permission, Role } from '../../src/core/domain/permissions.ts';
import type { Caller, DeviceTrust } from '../../src/core/domain/caller.ts';

function caller(id: string, roles: readonly Role[], opts: { grants?: Permission[]; trust?: DeviceTrust } = {}): Caller {
  return {
    principal: { id, username: id, kind: 'user', roles, grants: opts.grants ?? [] },
    via: 'token',
    ...(opts.trust !== undefined ? { deviceTrust: opts.trust } : {}),
  };
}

function policy(id: string, rules: Partial<PolicyRules> & Pick<PolicyRules, 'resourceType' | 'resourceId'>): Policy {
  return {
    id,
    permissions: [],
    allowedRoles: [],
    allowedUsers: [],
    deniedUsers: [],
    requiredPermissions: [],
    requireTrustedDevice: false,
    description: '',
    createdAt: 0,
    updatedAt: 0,
    ...rules,
  };
}

const alice = caller('alice', ['developer']);
const bob = caller('bob', ['developer']);
const gpt = { type: 'agent', id: 'gpt' } as const;

describe('resource id patterns', () => {
  it('accepts an id, `*` and a trailing prefix wildcard, and nothing else', () => {
    for (const p of ['gpt', '*', 'deploy-*', '42', 'a.b_c-d', 'org/repo']) assert.equal(isResourcePattern(p), true, p);
    for (const p of ['', 'de*ploy', '**', '*-deploy', 'a b', '-x', 'x**']) assert.equal(isResourcePattern(p), false, p);
  });

  it('matches exact ids, prefixes and everything', () => {
    assert.equal(patternMatches('gpt', 'gpt'), true);
    assert.equal(patternMatches('gpt', 'gpt-4'), false);
    assert.equal(patternMatches('deploy-*', 'deploy-prod'), true);
    assert.equal(patternMatches('deploy-*', 'deploy-'), true);
    assert.equal(patternMatches('deploy-*', 'predeploy-x'), false);
    assert.equal(patternMatches('*', 'anything'), true);
  });

  it('ranks exact above any prefix, longer prefixes above shorter, and `*` last', () => {
    const ranked = ['*', 'd*', 'deploy-*', 'deploy-prod-*', 'deploy-prod'].map(patternSpecificity);
    assert.deepEqual([...ranked].sort((a, b) => a - b), ranked);
    assert.ok(new Set(ranked).size === ranked.length);
  });
});

describe('evaluate: (1) the role table comes first', () => {
  it('denies by default what no role or grant holds, whatever a policy allows', () => {
    const guest = caller('gina', ['guest']);
    const d = evaluate(guest, 'agent:execute', gpt, [policy('open', { resourceType: 'agent', resourceId: 'gpt', allowedUsers: ['gina'] })]);
    assert.equal(d.allowed, false);
    assert.equal(d.rule, 'default-deny');
    assert.equal(d.steps?.length, 1);
  });

  it('counts an individual grant like a role', () => {
    const d = evaluate(caller('gina', ['guest'], { grants: ['agent:execute'] }), 'agent:execute', gpt, []);
    assert.equal(d.allowed, true);
    assert.equal(d.rule, 'grant');
  });
});

describe('evaluate: (2) an explicit deny wins', () => {
  it('denies a user listed in denied_users even when the same policy allows their role', () => {
    const p = policy('p', { resourceType: 'agent', resourceId: 'gpt', allowedRoles: ['developer'], deniedUsers: ['alice'] });
    const d = evaluate(alice, 'agent:execute', gpt, [p]);
    assert.equal(d.allowed, false);
    assert.equal(d.rule, 'policy:p');
    assert.match(d.reason, /denied by policy p/);
    assert.equal(evaluate(bob, 'agent:execute', gpt, [p]).allowed, true);
  });

  it('lets a deny in a wildcard policy win over an exact policy that allows the user', () => {
    const policies = [
      policy('all-agents', { resourceType: 'agent', resourceId: '*', deniedUsers: ['alice'] }),
      policy('gpt-alice', { resourceType: 'agent', resourceId: 'gpt', allowedUsers: ['alice'] }),
    ];
    const d = evaluate(alice, 'agent:execute', gpt, policies);
    assert.equal(d.allowed, false);
    assert.equal(d.rule, 'policy:all-agents');
  });

  it('does not apply a deny of a policy scoped to other permissions', () => {
    const p = policy('p', { resourceType: 'agent', resourceId: 'gpt', permissions: ['agent:configure'], deniedUsers: ['alice'] });
    assert.equal(evaluate(alice, 'agent:execute', gpt, [p]).allowed, true);
  });
});

describe('evaluate: (3) the most specific matching policy decides', () => {
  const wildcard = policy('any', { resourceType: 'agent', resourceId: '*', allowedRoles: ['admin'] });
  const prefix = policy('gp', { resourceType: 'agent', resourceId: 'gp*', allowedUsers: ['bob'] });
  const longer = policy('gpt-', { resourceType: 'agent', resourceId: 'gpt-*', allowedUsers: ['alice'] });
  const exact = policy('exact', { resourceType: 'agent', resourceId: 'gpt', allowedUsers: ['alice'] });

  it('uses `*` when nothing more specific matches', () => {
    const d = evaluate(alice, 'agent:execute', { type: 'agent', id: 'echo' }, [wildcard]);
    assert.equal(d.allowed, false);
    assert.equal(d.rule, 'policy:any');
    assert.match(d.reason, /allows only its listed roles and users/);
  });

  it('lets a prefix wildcard beat `*`', () => {
    assert.equal(evaluate(bob, 'agent:execute', gpt, [wildcard, prefix]).allowed, true);
    assert.equal(evaluate(alice, 'agent:execute', gpt, [wildcard, prefix]).rule, 'policy:gp');
  });

  it('lets a longer prefix beat a shorter one', () => {
    const id = { type: 'agent', id: 'gpt-4' };
    assert.equal(evaluate(alice, 'agent:execute', id, [prefix, longer]).allowed, true);
    assert.equal(evaluate(bob, 'agent:execute', id, [prefix, longer]).allowed, false);
  });

  it('lets an exact id beat every wildcard, and records the overridden ones', () => {
    const d = evaluate(alice, 'agent:execute', gpt, [wildcard, prefix, exact]);
    assert.equal(d.allowed, true);
    assert.equal(d.rule, 'policy:exact');
    assert.equal(d.namedByPolicy, true);
    const overridden = (d.steps ?? []).filter((s) => s.outcome === 'pass' && /overridden/.test(s.detail)).map((s) => s.rule);
    assert.deepEqual(overridden.sort(), ['policy:any', 'policy:gp']);
    assert.equal(evaluate(bob, 'agent:execute', gpt, [wildcard, prefix, exact]).allowed, false);
  });

  it('requires every equally specific policy to allow', () => {
    const a = policy('a', { resourceType: 'agent', resourceId: 'gpt', allowedRoles: ['developer'] });
    const b = policy('b', { resourceType: 'agent', resourceId: 'gpt', requiredPermissions: ['project:delete'] });
    const d = evaluate(alice, 'agent:execute', gpt, [a, b]);
    assert.equal(d.allowed, false);
    assert.equal(d.rule, 'policy:b');
    assert.match(d.reason, /requires project:delete/);
    assert.equal(evaluate(caller('root', ['admin']), 'agent:execute', gpt, [a, b]).allowed, false, 'admin is not among the allowed roles');
  });

  it('restricts to allowed roles', () => {
    const p = policy('viewers', { resourceType: 'project', resourceId: '42', allowedRoles: ['viewer'] });
    const viewer = caller('vic', ['viewer']);
    assert.equal(evaluate(viewer, 'task:view', { type: 'project', id: '42' }, [p]).allowed, true);
    assert.equal(evaluate(alice, 'task:view', { type: 'project', id: '42' }, [p]).allowed, false);
  });

  it('requires more permissions when the policy says so', () => {
    const p = policy('strict', { resourceType: 'skill', resourceId: 'shell', requiredPermissions: ['skill:install'] });
    const shell = { type: 'skill', id: 'shell' };
    assert.equal(evaluate(alice, 'skill:execute', shell, [p]).allowed, false);
    assert.equal(evaluate(caller('al', ['developer'], { grants: ['skill:install'] }), 'skill:execute', shell, [p]).allowed, true);
  });

  it('requires a trusted device and says so when it is missing', () => {
    const p = policy('device', { resourceType: 'agent', resourceId: 'gpt', permissions: ['agent:execute'], requireTrustedDevice: true });
    for (const trust of [undefined, 'unknown', 'pending', 'revoked'] as const) {
      const d = evaluate(caller('al', ['developer'], trust === undefined ? {} : { trust }), 'agent:execute', gpt, [p]);
      assert.equal(d.allowed, false, String(trust));
      assert.match(d.reason, /requires a trusted device/);
    }
    const ok = evaluate(caller('al', ['developer'], { trust: 'trusted' }), 'agent:execute', gpt, [p]);
    assert.equal(ok.allowed, true);
    assert.equal(ok.namedByPolicy, false, 'a policy that names nobody grants no visibility');
    assert.equal(evaluate(caller('al', ['developer']), 'agent:list', gpt, [p]).allowed, true, 'scoped to agent:execute only');
  });
});

describe('evaluate: (4) without a matching policy the role table decides', () => {
  it('allows through the role when no policy matches the type, id or permission', () => {
    const policies = [
      policy('skill', { resourceType: 'skill', resourceId: 'gpt', deniedUsers: ['alice'] }),
      policy('other', { resourceType: 'agent', resourceId: 'claude', deniedUsers: ['alice'] }),
    ];
    const d = evaluate(alice, 'agent:execute', gpt, policies);
    assert.equal(d.allowed, true);
    assert.equal(d.rule, 'role:developer');
    assert.deepEqual(d.steps?.map((s) => s.outcome), ['allow', 'pass']);
  });

  it('never applies policies to a check on a kind as a whole (no resource id)', () => {
    const p = policy('all', { resourceType: 'agent', resourceId: '*', deniedUsers: ['alice'] });
    assert.equal(evaluate(alice, 'agent:list', { type: 'agent', id: null }, [p]).allowed, true);
    assert.equal(evaluate(alice, 'agent:list', undefined, [p]).allowed, true);
  });
});

describe('evaluate: steps', () => {
  it('lists the role table, the deny check and the deciding policy, in that order', () => {
    const p = policy('gpt', { resourceType: 'agent', resourceId: 'gpt', allowedUsers: ['alice'] });
    const d = evaluate(alice, 'agent:execute', gpt, [p]);
    assert.deepEqual(
      d.steps?.map((s) => [s.rule, s.outcome]),
      [
        ['role:developer', 'allow'],
        ['denied-users', 'pass'],
        ['policy:gpt', 'allow'],
      ],
    );
  });
});
