/**
 * Users, API tokens and sessions as the runtime shows them.
 */
import type { Principal } from './caller.ts';

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
