/** The CredentialStore port: users, API tokens and login sessions as the security module needs them. */
import type { AuditInput } from '../domain/audit.ts';
import type { DeviceTrust, Principal } from '../domain/caller.ts';
import type { SessionInfo, TokenInfo, UserInfo } from '../domain/identity.ts';
import type { Permission, Role } from '../domain/permissions.ts';

/** A new API token as stored (hash only). */
export interface NewTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly prefix: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
}

/** Fields a user change may set; absent fields stay. */
export interface UserRecordPatch {
  readonly roles?: readonly Role[];
  /** The individually granted permissions, replacing the old list. */
  readonly grants?: readonly Permission[];
  readonly disabled?: boolean;
  readonly passwordHash?: string;
}

/**
 * Users and credentials as the security module needs them. A change given an
 * `audit` writes it in the same transaction (at time `now`): no change without its record.
 */
export interface CredentialStore {
  countUsers(): Promise<number>;
  createUser(
    user: Principal & { createdAt: number; passwordHash?: string | null },
    audit?: { readonly records: readonly AuditInput[]; readonly now: number },
  ): Promise<void>;
  createToken(token: NewTokenRecord, audit?: { readonly records: readonly AuditInput[]; readonly now: number }): Promise<void>;
  /** The principal owning an active, unexpired token with this hash, if any. */
  findPrincipalByTokenHash(tokenHash: string, now: number): Promise<Principal | undefined>;
  findUserByName(username: string): Promise<Principal | undefined>;
  getUser(userId: string): Promise<UserInfo | undefined>;
  listUsers(): Promise<readonly UserInfo[]>;
  /** Applies the patch; false when the user does not exist. */
  updateUser(
    userId: string,
    patch: UserRecordPatch,
    audit: { readonly records: readonly AuditInput[]; readonly now: number },
  ): Promise<boolean>;
  listTokens(userId: string): Promise<readonly TokenInfo[]>;
  /** Sets revoked_at (once); the token as it is now, or undefined when the user has no such token. */
  revokeToken(
    userId: string,
    tokenId: string,
    audit: { readonly records: readonly AuditInput[]; readonly now: number },
  ): Promise<TokenInfo | undefined>;
  /** What a password login needs: the user, whether it is disabled, its password hash. */
  findLogin(username: string): Promise<{ readonly user: UserInfo; readonly passwordHash: string | null } | undefined>;
  createSession(
    session: SessionInfo & { readonly secretHash: string; readonly absoluteExpiresAt: number },
    audit: { readonly records: readonly AuditInput[]; readonly now: number },
  ): Promise<void>;
  /**
   * The live session with this secret hash (not revoked, not expired, its user not
   * disabled) with its principal, after moving its last activity to `now` and its
   * idle deadline to min(now + idleMs, absolute deadline); undefined otherwise. With
   * the trust level of the session's device as it is now, when it has a registered one.
   */
  touchSession(
    secretHash: string,
    now: number,
    idleMs: number,
  ): Promise<{ readonly principal: Principal; readonly session: SessionInfo; readonly deviceTrust?: DeviceTrust } | undefined>;
  getSession(sessionId: string): Promise<SessionInfo | undefined>;
  /** Live sessions at `now` (not revoked, not expired), newest first; one user's or everyone's. */
  listSessions(filter: { readonly userId?: string; readonly now: number; readonly limit: number }): Promise<readonly SessionInfo[]>;
  /** Sets revoked_at (once); the session as it is now, or undefined when there is none. */
  revokeSession(sessionId: string, audit: { readonly records: readonly AuditInput[]; readonly now: number }): Promise<SessionInfo | undefined>;
}
