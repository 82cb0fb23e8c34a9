/**
 * The role-only authorizer: REFERENCE.md's role table and the user's grants (deny by
 * default), ignoring resource policies. The app uses the policy-aware authorizer
 * (policy-authorizer.ts); this one is the secure runtime's default for tests and embedding.
 */
import type { Permission } from '../core/permissions.ts';
import { roleTableDecision } from '../core/policy.ts';
import type { Authorizer, Decision, ResourceRef } from '../core/ports.ts';
import type { Caller } from '../core/types.ts';

/** The decision of the role table and individual grants alone. */
export function roleDecision(caller: Caller, permission: Permission): Decision {
  return roleTableDecision(caller, permission);
}

export function createRoleAuthorizer(): Authorizer {
  return {
    check(caller: Caller, permission: Permission, _resource?: ResourceRef): Promise<Decision> {
      return Promise.resolve(roleDecision(caller, permission));
    },
  };
}
