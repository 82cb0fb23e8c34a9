import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Permissions, ROLE_PERMISSIONS, Roles, isPermission, isRole, type Permission, type Role } from '../../src/core/domain/permissions.ts';
import { effectivePermissions, hasPermission, type Caller } from '../../src/core/domain/caller.ts';

/**
 * REFERENCE.md "Roles and permissions", copied literally (one row per line of the
 * reference table, in its order). Columns: admin, developer, viewer, guest.
 */
const REFERENCE_TABLE: readonly (readonly [readonly Permission[], boolean, boolean, boolean, boolean])[] = [
  [['task:submit', 'task:cancel'], true, true, false, false],
  [['task:view'], true, true, true, false],
  [['agent:list'], true, true, true, true],
  [['agent:execute'], true, true, false, false],
  [['agent:configure'], true, false, false, false],
  [['skill:list'], true, true, true, true],
  [['skill:execute'], true, true, false, false],
  [['skill:install'], true, false, false, false],
  [['project:read'], true, true, true, false],
  [['project:write'], true, true, false, false],
  [['project:delete'], true, false, false, false],
  [['admin:users', 'admin:system'], true, false, false, false],
  // Beyond the reference: remote worker nodes (connect one, list them), admin only unless granted.
  [['node:connect', 'node:read'], true, false, false, false],
];

const COLUMNS: readonly Role[] = ['admin', 'developer', 'viewer', 'guest'];

function expectedAllowed(role: Role, permission: Permission): boolean {
  const row = REFERENCE_TABLE.find(([perms]) => perms.includes(permission));
  assert.ok(row, `${permission} is not in the reference table`);
  return row[1 + COLUMNS.indexOf(role)] as boolean;
}

function callerWith(roles: readonly Role[], grants: readonly Permission[] = []): Caller {
  return {
    principal: { id: 'u1', username: 'someone', kind: 'user', roles, grants },
    via: 'token',
  };
}

describe('the role table', () => {
  it('lists the same permissions as the reference table, each once', () => {
    const fromReference = REFERENCE_TABLE.flatMap(([perms]) => perms);
    assert.deepEqual([...fromReference].sort(), [...Permissions].sort());
    assert.equal(new Set(Permissions).size, Permissions.length);
  });

  it('has exactly the four roles of the reference', () => {
    assert.deepEqual([...Roles].sort(), [...COLUMNS].sort());
    assert.deepEqual(Object.keys(ROLE_PERMISSIONS).sort(), [...COLUMNS].sort());
  });

  for (const role of COLUMNS) {
    for (const permission of Permissions) {
      const allowed = expectedAllowed(role, permission);
      it(`${allowed ? 'gives' : 'does not give'} ${role} the permission ${permission}`, () => {
        assert.equal(ROLE_PERMISSIONS[role].includes(permission), allowed);
        assert.equal(hasPermission(callerWith([role]), permission), allowed);
      });
    }
  }

  it('lists no permission twice for a role', () => {
    for (const role of COLUMNS) assert.equal(new Set(ROLE_PERMISSIONS[role]).size, ROLE_PERMISSIONS[role].length, role);
  });
});

describe('hasPermission', () => {
  it('denies everything to a caller with no roles and no grants', () => {
    const nobody = callerWith([]);
    for (const p of Permissions) assert.equal(hasPermission(nobody, p), false, p);
    assert.equal(effectivePermissions(nobody).size, 0);
  });

  it('allows a permission granted individually without any role', () => {
    const caller = callerWith([], ['skill:install']);
    assert.equal(hasPermission(caller, 'skill:install'), true);
    assert.equal(hasPermission(caller, 'skill:execute'), false);
  });

  it('adds individual grants on top of a role', () => {
    const caller = callerWith(['guest'], ['task:view']);
    assert.equal(hasPermission(caller, 'task:view'), true);
    assert.equal(hasPermission(caller, 'agent:list'), true);
    assert.equal(hasPermission(caller, 'task:submit'), false);
  });

  it('combines several roles', () => {
    const caller = callerWith(['guest', 'viewer']);
    assert.equal(hasPermission(caller, 'project:read'), true);
    assert.equal(hasPermission(caller, 'project:write'), false);
  });
});

describe('effectivePermissions', () => {
  it('is the union of the roles and the grants', () => {
    const caller = callerWith(['viewer'], ['agent:configure', 'task:view']);
    assert.deepEqual(
      [...effectivePermissions(caller)].sort(),
      ['agent:configure', 'agent:list', 'project:read', 'skill:list', 'task:view'],
    );
  });

  it('gives admin every permission', () => {
    assert.deepEqual([...effectivePermissions(callerWith(['admin']))].sort(), [...Permissions].sort());
  });

  it('agrees with hasPermission for every role and permission', () => {
    for (const role of COLUMNS) {
      const caller = callerWith([role], ['skill:install']);
      const set = effectivePermissions(caller);
      for (const p of Permissions) assert.equal(set.has(p), hasPermission(caller, p), `${role} ${p}`);
    }
  });
});

describe('isRole and isPermission', () => {
  it('accepts the known names', () => {
    for (const r of Roles) assert.equal(isRole(r), true);
    for (const p of Permissions) assert.equal(isPermission(p), true);
  });

  it('rejects unknown names, case variants and prototype keys', () => {
    for (const v of ['', 'Admin', 'root', 'toString', '__proto__']) assert.equal(isRole(v), false, v);
    for (const v of ['', 'task:*', 'TASK:VIEW', 'task:delete', 'toString']) assert.equal(isPermission(v), false, v);
  });
});
