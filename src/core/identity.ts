/**
 * Users and API tokens as the runtime exposes them: the contract of user
 * administration (the security module implements it; transports call it).
 * Never carries a password, a password hash or a token secret, except the
 * token secret once in `CreatedToken`.
 */
import type { Role } from './permissions.ts';
import type { Caller, Principal } from './types.ts';
import type { DeviceProof } from './devices.ts';

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

/** What a client says about the device a new session is for (login and create alike). */
export interface SessionDeviceRequest {
  readonly deviceId?: string;
  /** A signed device challenge; required when the device has a public key. */
  readonly deviceProof?: DeviceProof;
}

export interface LoginInput extends SessionDeviceRequest {
  readonly username: string;
  readonly password: string;
  /** The client address, for the per-address failure limit and the audit record. */
  readonly ip: string;
}

/** A session created from a credential the caller already holds (POST /api/runtime/sessions). */
export interface NewSessionInput extends SessionDeviceRequest {
  /** Whose session (default: the caller's); another user's needs admin:users. */
  readonly userId?: string;
}

/** Which live sessions to list: the caller's own by default. */
export interface SessionListInput {
  /** Another user's sessions (needs admin:users). */
  readonly userId?: string;
  /** Everyone's sessions (needs admin:users). */
  readonly all?: boolean;
}

/** Sessions: password login, creation from another credential, lookup, listing, revocation. */
export interface SessionService {
  /** Failures are rate-limited and audited. */
  login(input: LoginInput): Promise<CreatedSession>;
  create(caller: Caller, input: NewSessionInput): Promise<CreatedSession>;
  /** One of the caller's own sessions (anyone's with admin:users), whatever its state. */
  get(caller: Caller, sessionId: string): Promise<SessionInfo>;
  /** Live sessions (not revoked, not expired), newest first. */
  list(caller: Caller, input: SessionListInput): Promise<readonly SessionInfo[]>;
  /** Revokes a session of the caller's own (or anyone's with admin:users). */
  logout(caller: Caller, sessionId: string): Promise<SessionInfo>;
}
