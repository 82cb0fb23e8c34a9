/** Logins and sessions as the runtime exposes them: password login, sessions from a credential, listing and ending them. */
import type { Caller } from '../domain/caller.ts';
import type { DeviceProof } from '../domain/device.ts';
import type { CreatedSession, SessionInfo } from '../domain/identity.ts';

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
