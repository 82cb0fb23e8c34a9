/** The DeviceStore port: registered devices and their challenges. */
import type { AuditArg } from '../domain/audit.ts';
import type { DeviceTrust } from '../domain/caller.ts';
import type { DeviceChallenge, DeviceRecord } from '../domain/device.ts';

/** Fields a device change may set; absent fields stay. */
export interface DevicePatch {
  readonly name?: string;
  readonly publicKey?: string;
  readonly trust?: DeviceTrust;
  readonly approvedBy?: string;
  readonly approvedAt?: number;
}

/** Devices and their challenges as the security module needs them. */
export interface DeviceStore {
  findDevice(deviceId: string): Promise<DeviceRecord | undefined>;
  /** Every device, or one owner's; oldest first. */
  listDevices(ownerId?: string): Promise<readonly DeviceRecord[]>;
  /** Inserts unless the id exists; false when it did (nothing written then, audit included). */
  insertDevice(device: DeviceRecord, audit?: AuditArg): Promise<boolean>;
  /**
   * Applies the patch only if the device's trust is one of `fromTrust`; the device after,
   * or undefined. With `endSessions`, every live session bound to the device is revoked
   * in the same transaction.
   */
  updateDevice(
    deviceId: string,
    fromTrust: readonly DeviceTrust[],
    patch: DevicePatch,
    audit: AuditArg,
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
    audit: (sessionCount: number) => AuditArg,
  ): Promise<{ readonly device: DeviceRecord; readonly sessionCount: number; readonly sessionUserIds: readonly string[] } | undefined>;
  /** Stores a challenge; challenges that expired before `now` are deleted on the way. */
  createChallenge(challenge: DeviceChallenge & { readonly deviceId: string }, now: number): Promise<void>;
  /**
   * Marks the challenge used if it belongs to this device, is unused and unexpired;
   * its nonce when it did, undefined otherwise. Atomic: a challenge is consumed once.
   */
  consumeChallenge(challengeId: string, deviceId: string, now: number): Promise<string | undefined>;
}
