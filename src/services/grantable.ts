/**
 * The two rules of changing who holds what, shared by user and grant administration:
 * one grants or takes away only permissions one holds oneself, and no change may
 * leave the system without an enabled user who can administer users.
 */
import { SwitchboardError } from '../core/domain/errors.ts';
import type { Caller, Principal } from '../core/domain/caller.ts';
import type { UserInfo } from '../core/domain/identity.ts';
import type { Permission, Role } from '../core/domain/permissions.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { Guard } from '../core/ports/guard.ts';

/** Resolves when the caller holds every permission of `needed`; else an audited refusal naming the first one missing. */
export async function grantable(guard: Guard, caller: Caller, needed: readonly Permission[], userId: string | null, what: string): Promise<void> {
  for (const permission of needed) {
    const decision = await guard.decide(caller, permission);
    if (!decision.allowed) {
      await guard.refuse(caller, { permission, resource: { type: 'user', id: userId }, reason: `${what} without ${permission}` });
    }
  }
}

/** The account as it would stand after a change. */
export interface AccountAfter {
  readonly roles: readonly Role[];
  readonly grants?: readonly Permission[];
  readonly disabled: boolean;
}

/**
 * Refuses a change that takes admin:users from the caller themself (nobody might give it
 * back) or from the last enabled user who holds it (then nobody could).
 */
export async function keepsAnAdministrator(
  guard: Guard,
  caller: Caller,
  credentials: Pick<CredentialStore, 'listUsers'>,
  before: UserInfo,
  after: AccountAfter,
): Promise<void> {
  const administers = async (principal: Principal, disabled: boolean): Promise<boolean> =>
    !disabled && (await guard.decide({ principal, via: 'system' }, 'admin:users')).allowed;
  if (!(await administers(before, before.disabled))) return;
  if (await administers({ ...before, roles: after.roles, grants: after.grants ?? before.grants }, after.disabled)) return;
  if (before.id === caller.principal.id) throw new SwitchboardError('VALIDATION_FAILED', 'You cannot revoke your own admin:users');
  for (const other of await credentials.listUsers()) {
    if (other.id !== before.id && (await administers(other, other.disabled))) return;
  }
  throw new SwitchboardError('VALIDATION_FAILED', `${before.username} is the last enabled user with admin:users; give it to another user first`);
}
