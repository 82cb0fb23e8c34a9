/** The Authorizer port: decides one permission on one resource for a caller. */
import type { Caller } from '../domain/caller.ts';
import type { Decision, ResourceRef } from '../domain/decision.ts';
import type { Permission } from '../domain/permissions.ts';

/** Decides one permission on one resource for a caller (roles, grants, resource policies, device trust). Security implements it. */
export interface Authorizer {
  check(caller: Caller, permission: Permission, resource?: ResourceRef): Promise<Decision>;
}
