/**
 * Grants and revokes of roles and single permissions: authorize (`admin:users`, and the
 * granter must hold every permission it grants or takes away) → change → audit
 * (`permission.granted` / `permission.revoked` with `{role}` or `{permission}`, in the
 * same transaction) → evict the user from the authenticator's cache, so the change
 * applies to their very next request on this node (other nodes: within its short TTL).
 * Granting what the user already has, or revoking what they lack, changes nothing and
 * writes nothing.
 */
import type { GrantAdmin, GrantOutcome } from '../core/services/grant-admin.ts';
import { SwitchboardError } from '../core/domain/errors.ts';
import type { UserInfo } from '../core/domain/identity.ts';
import { ROLE_PERMISSIONS, type Permission, type Role } from '../core/domain/permissions.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Caller } from '../core/domain/caller.ts';
import type { Guard } from '../core/ports/guard.ts';
import { grantable, keepsAnAdministrator } from './grantable.ts';

export interface GrantAdminDeps {
  readonly credentials: CredentialStore;
  readonly clock: Clock;
  readonly guard: Guard;
  /** Forgets cached credentials of a user (the authenticator's cache). */
  readonly evictUser: (userId: string) => void;
}

type Change = { readonly kind: 'role'; readonly name: Role } | { readonly kind: 'permission'; readonly name: Permission };

export function createGrantAdmin(deps: GrantAdminDeps): GrantAdmin {
  const { credentials } = deps;

  async function existing(userId: string): Promise<UserInfo> {
    const user = await credentials.getUser(userId);
    if (user === undefined) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userId });
    return user;
  }

  async function authorize(caller: Caller, userId: string, change: Change, grant: boolean): Promise<void> {
    const verb = grant ? 'granting' : 'revoking';
    await deps.guard.ensure(caller, 'admin:users', { type: 'user', id: userId }, { why: `${verb} ${change.kind}s` });
    const needed = change.kind === 'role' ? ROLE_PERMISSIONS[change.name] : [change.name];
    await grantable(deps.guard, caller, needed, userId, `cannot ${grant ? 'grant' : 'revoke'} ${change.kind} ${change.name}`);
  }

  async function apply(caller: Caller, userId: string, change: Change, grant: boolean): Promise<GrantOutcome> {
    await authorize(caller, userId, change, grant);
    const before = await existing(userId);
    const list: readonly string[] = change.kind === 'role' ? before.roles : before.grants;
    if (list.includes(change.name) === grant) return { user: before, changed: false };
    let roles: readonly Role[] = before.roles;
    let grants: readonly Permission[] = before.grants;
    if (change.kind === 'role') roles = grant ? [...roles, change.name] : roles.filter((r) => r !== change.name);
    else grants = grant ? [...grants, change.name] : grants.filter((p) => p !== change.name);
    if (!grant) await keepsAnAdministrator(deps.guard, caller, credentials, before, { roles, grants, disabled: before.disabled });
    const audit: AuditInput = {
      eventType: grant ? 'permission.granted' : 'permission.revoked',
      userId: caller.principal.id,
      sessionId: caller.sessionId ?? null,
      resourceType: 'user',
      resourceId: userId,
      action: grant ? 'user.grant' : 'user.revoke',
      status: 'success',
      details: change.kind === 'role' ? { role: change.name } : { permission: change.name },
    };
    const patch = change.kind === 'role' ? { roles } : { grants };
    const updated = await credentials.updateUser(userId, patch, { records: [audit], now: deps.clock.now() });
    if (!updated) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userId });
    deps.evictUser(userId);
    return { user: await existing(userId), changed: true };
  }

  return {
    grantRole: (caller, userId, role) => apply(caller, userId, { kind: 'role', name: role }, true),
    revokeRole: (caller, userId, role) => apply(caller, userId, { kind: 'role', name: role }, false),
    grantPermission: (caller, userId, permission) => apply(caller, userId, { kind: 'permission', name: permission }, true),
    revokePermission: (caller, userId, permission) => apply(caller, userId, { kind: 'permission', name: permission }, false),
  };
}
