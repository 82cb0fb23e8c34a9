/**
 * Users and API tokens as the runtime exposes them: the contract of user
 * administration (the security module implements it; transports call it).
 * Never carries a password, a password hash or a token secret, except the
 * token secret once in `CreatedToken`.
 */
import type { Role } from './permissions.ts';
import type { Caller, Principal } from './types.ts';

/** A user as listed: no credentials. */
export interface UserInfo extends Principal {
  readonly disabled: boolean;
  readonly hasPassword: boolean;
  readonly createdAt: number;
}

/** An API token as listed: no secret, only its display prefix. */
export interface TokenInfo {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

/** A token just created: the secret is shown this once and never again. */
export interface CreatedToken extends TokenInfo {
  readonly token: string;
}

export interface NewUserInput {
  readonly username: string;
  readonly password?: string;
  readonly roles: readonly Role[];
}

export interface UserPatchInput {
  readonly roles?: readonly Role[];
  readonly disabled?: boolean;
  readonly password?: string;
}

export interface NewTokenInput {
  readonly name: string;
  readonly expiresAt?: number | null;
}

/** User and token administration; every call is authorized and audited. */
export interface UserAdmin {
  me(caller: Caller): Promise<UserInfo>;
  listUsers(caller: Caller): Promise<readonly UserInfo[]>;
  createUser(caller: Caller, input: NewUserInput): Promise<UserInfo>;
  updateUser(caller: Caller, userId: string, patch: UserPatchInput): Promise<UserInfo>;
  createToken(caller: Caller, userId: string, input: NewTokenInput): Promise<CreatedToken>;
  listTokens(caller: Caller, userId: string): Promise<readonly TokenInfo[]>;
  revokeToken(caller: Caller, userId: string, tokenId: string): Promise<TokenInfo>;
}

/** A login session as listed: its public id, never its bearer secret. */
export interface SessionInfo {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string | null;
  readonly createdAt: number;
  readonly lastActivity: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/** A session just created by a login: the bearer secret (`sbs_…`) is shown this once. */
export interface CreatedSession extends SessionInfo {
  readonly token: string;
  readonly permissions: readonly string[];
}

export interface LoginInput {
  readonly username: string;
  readonly password: string;
  readonly deviceId?: string;
  /** The client address, for the per-address failure limit and the audit record. */
  readonly ip: string;
}

/** Password login and logout; failures are rate-limited and audited. */
export interface SessionService {
  login(input: LoginInput): Promise<CreatedSession>;
  /** Revokes a session of the caller's own (or anyone's with admin:users). */
  logout(caller: Caller, sessionId: string): Promise<SessionInfo>;
}
