/**
 * The role-only authorizer: REFERENCE.md's role table and the user's grants (deny by
 * default), ignoring resource policies. The app uses the policy-aware authorizer
 * (policy-authorizer.ts); this one is the secure runtime's default for tests and embedding.
 */
import type { Permission } from '../../core/domain/permissions.ts';
import { roleTableDecision } from '../../core/domain/policy.ts';
import type { Decision, ResourceRef } from '../../core/domain/decision.ts';
import type { Authorizer } from '../../core/ports/authorizer.ts';
import type { Caller } from '../../core/domain/caller.ts';

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
