/**
 * Devices: a client's own id with an Ed25519 key, a trust level, and the challenges that prove it.
 */
import type { DeviceTrust } from './caller.ts';

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
