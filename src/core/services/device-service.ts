/** Devices as the runtime exposes them: register, prove with a challenge, approve, revoke. */
import type { Caller } from '../domain/caller.ts';
import type { DeviceBinding, DeviceChallenge, DeviceInfo, DeviceProof, RevokedDevice } from '../domain/device.ts';

export interface RegisterDeviceInput {
  readonly deviceId: string;
  readonly name: string;
  /** Ed25519 public key, SPKI DER in base64. Without one the device stays `unknown`. */
  readonly publicKey?: string;
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
