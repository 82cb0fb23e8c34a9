/** Grants of roles and single permissions to users, as the runtime exposes them. */
import type { Caller } from '../domain/caller.ts';
import type { UserInfo } from '../domain/identity.ts';
import type { Permission, Role } from '../domain/permissions.ts';

/** The user after a grant or revoke, and whether anything changed (false: it was already so). */
export interface GrantOutcome {
  readonly user: UserInfo;
  readonly changed: boolean;
}

/**
 * Roles and single permissions of users: `admin:users`, and the granter must hold
 * what it grants or revokes. Audited as `permission.granted` / `permission.revoked`;
 * effective on the next request.
 */
export interface GrantAdmin {
  grantRole(caller: Caller, userId: string, role: Role): Promise<GrantOutcome>;
  revokeRole(caller: Caller, userId: string, role: Role): Promise<GrantOutcome>;
  grantPermission(caller: Caller, userId: string, permission: Permission): Promise<GrantOutcome>;
  revokePermission(caller: Caller, userId: string, permission: Permission): Promise<GrantOutcome>;
}
