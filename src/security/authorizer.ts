/**
 * The authorizer: decides one permission on one resource for a caller. This is the
 * role and grant check of REFERENCE.md's table (deny by default); resource policies
 * and device-trust requirements are layered on top of it.
 */
import { ROLE_PERMISSIONS, type Permission } from '../core/permissions.ts';
import type { Authorizer, Decision, ResourceRef } from '../core/ports.ts';
import type { Caller } from '../core/types.ts';

/** The decision of the role table and individual grants alone. */
export function roleDecision(caller: Caller, permission: Permission): Decision {
  if (caller.principal.grants.includes(permission)) {
    return { allowed: true, reason: `${permission} is granted to the user`, rule: 'grant' };
  }
  for (const role of caller.principal.roles) {
    if (ROLE_PERMISSIONS[role].includes(permission)) {
      return { allowed: true, reason: `role ${role} holds ${permission}`, rule: `role:${role}` };
    }
  }
  return { allowed: false, reason: `requires ${permission}`, rule: 'default-deny' };
}

export function createRoleAuthorizer(): Authorizer {
  return {
    check(caller: Caller, permission: Permission, _resource?: ResourceRef): Promise<Decision> {
      return Promise.resolve(roleDecision(caller, permission));
    },
  };
}
