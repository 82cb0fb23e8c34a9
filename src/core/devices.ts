/**
 * Devices: the contract of the device registry (the security module implements it;
 * transports call it) and the DeviceStore port. A device is the client's own id
 * (chosen by the client, e.g. a UUID), owned by one user, with a trust level
 * `unknown → pending → trusted`, or `revoked` (final). A device with an Ed25519
 * public key proves itself by signing a server-issued challenge, so typing its id
 * is not enough to claim it.
 */
import type { AuditInput, Caller, DeviceTrust } from './types.ts';

/** A device as listed. `publicKey` is SPKI DER, standard base64; never a private key. */
export interface DeviceInfo {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly publicKey: string | null;
  /** `SHA256:` + unpadded base64 of the SHA-256 of the SPKI DER bytes, for comparing by eye. */
  readonly keyFingerprint: string | null;
  readonly trust: DeviceTrust;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly approvedBy: string | null;
  readonly approvedAt: number | null;
  readonly revokedAt: number | null;
}

/** A device as stored (the fingerprint is derived). */
export type DeviceRecord = Omit<DeviceInfo, 'keyFingerprint'>;

export interface RegisterDeviceInput {
  readonly deviceId: string;
  readonly name: string;
  /** Ed25519 public key, SPKI DER in base64. Without one the device stays `unknown`. */
  readonly publicKey?: string;
}

/** A challenge for a device to sign; single use, short-lived. */
export interface DeviceChallenge {
  readonly challengeId: string;
  readonly nonce: string;
  readonly expiresAt: number;
}

/** The signed answer to a challenge: the signature is base64 (or base64url) of 64 bytes. */
export interface DeviceProof {
  readonly challengeId: string;
  readonly signature: string;
}

/** What a session is bound to: its device (or none) and that device's trust now. */
export interface DeviceBinding {
  readonly deviceId: string | null;
  readonly deviceTrust?: DeviceTrust;
}

/** A revoked device and how many live sessions on it were ended with it. */
export interface RevokedDevice {
  readonly device: DeviceInfo;
  readonly revokedSessions: number;
}

/** Challenges expire this long after they are issued (60 s). */
export const DEVICE_CHALLENGE_TTL_MS = 60_000;

/**
 * The exact bytes (UTF-8) a device signs with its Ed25519 key to answer a challenge.
 * Both parts are free of `:` (a UUID and base64url), so the message is unambiguous.
 */
export function deviceProofMessage(challengeId: string, nonce: string): string {
  return `switchboard-device-proof:v1:${challengeId}:${nonce}`;
}

/** The device registry; every change is authorized and audited. */
export interface DeviceService {
  /** Registers (or completes the registration of) one of the caller's devices. */
  register(caller: Caller, input: RegisterDeviceInput): Promise<DeviceInfo>;
  /** The caller's devices, or everyone's with `all` (needs admin:users). */
  list(caller: Caller, options: { readonly all: boolean }): Promise<readonly DeviceInfo[]>;
  get(caller: Caller, deviceId: string): Promise<DeviceInfo>;
  /** `pending → trusted`: admin:users, or the owner when the configuration allows it. */
  approve(caller: Caller, deviceId: string): Promise<DeviceInfo>;
  /** Final; ends every live session on the device at once. Owner or admin:users. */
  revoke(caller: Caller, deviceId: string): Promise<RevokedDevice>;
  /**
   * Unauthenticated: answers the same whether the device exists or not. Limited per
   * device and per client address (AUTH_RATE_LIMITED with a retry time beyond that).
   */
  issueChallenge(deviceId: string, ip: string): Promise<DeviceChallenge>;
  /**
   * Decides the device of a new session of `userId` (after its credential was
   * verified): records an unseen id as `unknown`, requires a valid proof for a device
   * with a key, refuses a revoked device or one owned by someone else.
   */
  bindSession(input: { readonly userId: string; readonly deviceId?: string; readonly proof?: DeviceProof }): Promise<DeviceBinding>;
}

/** Fields a device change may set; absent fields stay. */
export interface DevicePatch {
  readonly name?: string;
  readonly publicKey?: string;
  readonly trust?: DeviceTrust;
  readonly approvedBy?: string;
  readonly approvedAt?: number;
}

type Audit = { readonly records: readonly AuditInput[]; readonly now: number };

/** Devices and their challenges as the security module needs them. */
export interface DeviceStore {
  findDevice(deviceId: string): Promise<DeviceRecord | undefined>;
  /** Every device, or one owner's; oldest first. */
  listDevices(ownerId?: string): Promise<readonly DeviceRecord[]>;
  /** Inserts unless the id exists; false when it did (nothing written then, audit included). */
  insertDevice(device: DeviceRecord, audit?: Audit): Promise<boolean>;
  /**
   * Applies the patch only if the device's trust is one of `fromTrust`; the device after,
   * or undefined. With `endSessions`, every live session bound to the device is revoked
   * in the same transaction.
   */
  updateDevice(
    deviceId: string,
    fromTrust: readonly DeviceTrust[],
    patch: DevicePatch,
    audit: Audit,
    options?: { readonly endSessions?: boolean },
  ): Promise<DeviceRecord | undefined>;
  /** Moves last_seen forward to `now`. */
  touchDevice(deviceId: string, now: number): Promise<void>;
  /**
   * Sets trust `revoked` (unless it already is) and revokes every live session bound
   * to the device, in one transaction with the audit records. Undefined when there is
   * no such device or it was already revoked.
   */
  revokeDevice(
    deviceId: string,
    audit: (sessionCount: number) => Audit,
  ): Promise<{ readonly device: DeviceRecord; readonly sessionCount: number; readonly sessionUserIds: readonly string[] } | undefined>;
  /** Stores a challenge; challenges that expired before `now` are deleted on the way. */
  createChallenge(challenge: DeviceChallenge & { readonly deviceId: string }, now: number): Promise<void>;
  /**
   * Marks the challenge used if it belongs to this device, is unused and unexpired;
   * its nonce when it did, undefined otherwise. Atomic: a challenge is consumed once.
   */
  consumeChallenge(challengeId: string, deviceId: string, now: number): Promise<string | undefined>;
}
