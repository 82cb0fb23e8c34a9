/**
 * The device registry: authorize → act → audit. A user registers their own devices
 * (with an Ed25519 public key: `pending`; without: `unknown`); `admin:users` (or the
 * owner, when the configuration allows it) approves a pending device (`trusted`);
 * the owner or `admin:users` revokes one (final), which ends its sessions at once.
 * A device with a key is bound to a session only with a fresh proof: the signature of
 * `deviceProofMessage(challenge_id, nonce)` over a single-use, 60-second challenge.
 * Register, approve and revoke are audited as `resource.modified` (resource type
 * `device`); refusals as `permission.denied`.
 */
import { createLoginLimiter, type LoginLimiter, type LoginLimits } from './login-limiter.ts';
import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { SwitchboardError } from '../../core/domain/errors.ts';
import { DEVICE_CHALLENGE_TTL_MS, deviceProofMessage, type DeviceInfo, type DeviceRecord } from '../../core/domain/device.ts';
import type { DeviceStore } from '../../core/ports/device-store.ts';
import type { DeviceService } from '../../core/services/device-service.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Ids } from '../../core/ports/ids.ts';
import type { AuditInput } from '../../core/domain/audit.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { Guard } from '../../core/ports/guard.ts';

export interface DeviceServiceDeps {
  readonly devices: DeviceStore;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly guard: Guard;
  /** Forgets cached credentials of a user, so a trust change applies to the next request. */
  readonly evictUser: (userId: string) => void;
  /** Counts challenges per device id and address (default: in memory, this node only). */
  readonly challengeLimiter?: LoginLimiter;
}

/** Device challenges per device id and per client address within a minute, at most. */
export const CHALLENGE_LIMITS: LoginLimits = { perUser: 10, perIp: 30, windowMs: 60_000 };

export interface DeviceOptions {
  /** Owners may approve their own devices (default: false; only admin:users). */
  readonly ownerApproval: boolean;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
// Any text without control characters (ids appear in URLs, tables and audit records).
const DEVICE_ID = /^[^\p{Cc}]{1,200}$/u;

/** Parses an Ed25519 public key given as SPKI DER in base64; undefined when it is not one. */
function parsePublicKey(text: string): KeyObject | undefined {
  if (text.length > 200 || !BASE64.test(text)) return undefined;
  try {
    const key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

const spkiBase64 = (key: KeyObject): string => key.export({ format: 'der', type: 'spki' }).toString('base64');

function fingerprint(publicKey: string | null): string | null {
  if (publicKey === null) return null;
  return `SHA256:${createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

const toInfo = (d: DeviceRecord): DeviceInfo => ({ ...d, keyFingerprint: fingerprint(d.publicKey) });

/** True when `signature` (base64 or base64url of 64 bytes) signs `message` with `publicKey`. */
function verifies(publicKey: string, message: string, signature: string): boolean {
  const key = parsePublicKey(publicKey);
  if (key === undefined || signature.length > 100 || !BASE64.test(signature)) return false;
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  try {
    return verify(null, Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}

export function createDeviceService(deps: DeviceServiceDeps, options: DeviceOptions): DeviceService {
  const { devices } = deps;
  const challengeLimiter = deps.challengeLimiter ?? createLoginLimiter(CHALLENGE_LIMITS);

  const record = (caller: Caller, action: string, deviceId: string, details: AuditInput['details']): AuditInput => ({
    eventType: 'resource.modified',
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: 'device',
    resourceId: deviceId,
    action,
    status: 'success',
    details,
  });

  /** The device if the caller may see it (theirs, or anyone's with admin:users); otherwise not revealed. */
  async function visible(caller: Caller, deviceId: string, action: string): Promise<DeviceRecord> {
    const device = await devices.findDevice(deviceId);
    const notFound = (): SwitchboardError => new SwitchboardError('DEVICE_NOT_FOUND', undefined, { device_id: deviceId });
    const resource = { type: 'device', id: deviceId };
    if (device?.ownerId !== caller.principal.id && !(await deps.guard.decide(caller, 'admin:users', resource)).allowed) {
      await deps.guard.refuse(caller, { action, permission: 'admin:users', resource, reason: 'not the owner of the device' }, notFound());
    }
    if (device === undefined) throw notFound();
    return device;
  }

  /** Refuses a session's device: audited first (fail closed), then thrown. */
  async function refuseBinding(userId: string, deviceId: string, reason: string, code: 'DEVICE_PROOF_INVALID' | 'DEVICE_REVOKED'): Promise<never> {
    await deps.guard.record({
      eventType: 'permission.denied',
      userId,
      sessionId: null,
      resourceType: 'device',
      resourceId: deviceId,
      action: 'device.bind',
      status: 'denied',
      details: { permission: 'device.bind', reason },
    });
    throw new SwitchboardError(code, undefined, { device_id: deviceId });
  }

  function checkDeviceId(deviceId: string): void {
    if (!DEVICE_ID.test(deviceId)) {
      throw new SwitchboardError('VALIDATION_FAILED', 'device_id: 1 to 200 characters, no control characters');
    }
  }

  async function registerNew(caller: Caller, deviceId: string, name: string, publicKey: string | null): Promise<DeviceInfo | undefined> {
    const now = deps.clock.now();
    const device: DeviceRecord = {
      id: deviceId,
      ownerId: caller.principal.id,
      name,
      publicKey,
      trust: publicKey === null ? 'unknown' : 'pending',
      firstSeen: now,
      lastSeen: now,
      approvedBy: null,
      approvedAt: null,
      revokedAt: null,
    };
    const audit = record(caller, 'device.register', deviceId, { name, trust: device.trust, key_fingerprint: fingerprint(publicKey) });
    return (await devices.insertDevice(device, { records: [audit], now })) ? toInfo(device) : undefined;
  }

  return {
    async register(caller, input) {
      checkDeviceId(input.deviceId);
      const name = input.name.trim();
      if (name.length === 0 || name.length > 100 || /\p{Cc}/u.test(name)) {
        throw new SwitchboardError('VALIDATION_FAILED', 'name: 1 to 100 characters, no control characters');
      }
      let publicKey: string | null = null;
      if (input.publicKey !== undefined) {
        const key = parsePublicKey(input.publicKey);
        if (key === undefined) throw new SwitchboardError('VALIDATION_FAILED', 'public_key: not an Ed25519 public key (SPKI DER, base64)');
        publicKey = spkiBase64(key);
      }
      const existing = await devices.findDevice(input.deviceId);
      if (existing === undefined) {
        const created = await registerNew(caller, input.deviceId, name, publicKey);
        if (created !== undefined) return created;
      }
      const device = existing ?? (await devices.findDevice(input.deviceId));
      if (device === undefined || device.ownerId !== caller.principal.id) {
        throw new SwitchboardError('DEVICE_ID_TAKEN', undefined, { device_id: input.deviceId });
      }
      if (device.trust === 'revoked') throw new SwitchboardError('DEVICE_REVOKED', undefined, { device_id: device.id });
      if (device.publicKey !== null) {
        // Registering again with the same key changes nothing; a key is never replaced.
        if (publicKey === null || publicKey === device.publicKey) return toInfo(device);
        throw new SwitchboardError('DEVICE_ID_TAKEN', 'This device already has another public key', { device_id: device.id });
      }
      // An `unknown` device (seen at login, or registered without a key) gets its name and key now.
      // Sessions bound to it so far were never proven: with a key they end, so that a later
      // approval cannot lend them the device's trust.
      const now = deps.clock.now();
      const trust = publicKey === null ? 'unknown' : 'pending';
      const audit = record(caller, 'device.register', device.id, { name, trust, key_fingerprint: fingerprint(publicKey), ends_unproven_sessions: publicKey !== null });
      const patch = { name, trust, ...(publicKey !== null ? { publicKey } : {}) } as const;
      const updated = await devices.updateDevice(device.id, ['unknown'], patch, { records: [audit], now }, { endSessions: publicKey !== null });
      if (updated === undefined) throw new SwitchboardError('DEVICE_ID_TAKEN', 'The device changed meanwhile; try again', { device_id: device.id });
      if (publicKey !== null) deps.evictUser(device.ownerId);
      return toInfo(updated);
    },

    async list(caller, { all }) {
      if (all) await deps.guard.ensure(caller, 'admin:users', { type: 'device', id: null }, { why: "listing every user's devices" });
      return (await devices.listDevices(all ? undefined : caller.principal.id)).map(toInfo);
    },

    async get(caller, deviceId) {
      return toInfo(await visible(caller, deviceId, 'device.view'));
    },

    async approve(caller, deviceId) {
      const device = await visible(caller, deviceId, 'device.approve');
      const isOwner = device.ownerId === caller.principal.id;
      if (!(isOwner && options.ownerApproval)) {
        await deps.guard.ensure(caller, 'admin:users', { type: 'device', id: deviceId }, { why: 'approving a device (owner approval is disabled)' });
      }
      if (device.trust === 'revoked') throw new SwitchboardError('DEVICE_REVOKED', undefined, { device_id: deviceId });
      if (device.trust === 'trusted') return toInfo(device);
      if (device.publicKey === null) throw new SwitchboardError('DEVICE_KEY_REQUIRED', undefined, { device_id: deviceId });
      const now = deps.clock.now();
      const audit = record(caller, 'device.approve', deviceId, {
        owner_id: device.ownerId,
        previous_trust: device.trust,
        trust: 'trusted',
        key_fingerprint: fingerprint(device.publicKey),
      });
      const updated = await devices.updateDevice(deviceId, ['pending'], { trust: 'trusted', approvedBy: caller.principal.id, approvedAt: now }, { records: [audit], now });
      deps.evictUser(device.ownerId);
      if (updated !== undefined) return toInfo(updated);
      // Changed meanwhile: approved by someone else (fine) or revoked (refused).
      const current = await devices.findDevice(deviceId);
      if (current?.trust === 'trusted') return toInfo(current);
      throw new SwitchboardError('DEVICE_REVOKED', undefined, { device_id: deviceId });
    },

    async revoke(caller, deviceId) {
      const device = await visible(caller, deviceId, 'device.revoke');
      const now = deps.clock.now();
      const revoked = await devices.revokeDevice(deviceId, (sessions) => ({
        now,
        records: [record(caller, 'device.revoke', deviceId, { owner_id: device.ownerId, previous_trust: device.trust, revoked_sessions: sessions })],
      }));
      deps.evictUser(device.ownerId);
      if (revoked === undefined) {
        // Already revoked: revoking is idempotent.
        const current = await devices.findDevice(deviceId);
        return { device: toInfo(current ?? device), revokedSessions: 0 };
      }
      for (const userId of revoked.sessionUserIds) deps.evictUser(userId);
      return { device: toInfo(revoked.device), revokedSessions: revoked.sessionCount };
    },

    async issueChallenge(deviceId, ip) {
      checkDeviceId(deviceId);
      const now = deps.clock.now();
      // Each challenge is a stored row and the route needs no credential: count them like failed logins.
      const wait = await challengeLimiter.retryAfter(deviceId, ip, now);
      if (wait > 0) throw new SwitchboardError('AUTH_RATE_LIMITED', 'Too many device challenges; try again later', undefined, { retryAfterMs: wait });
      await challengeLimiter.recordFailure(deviceId, ip, now);
      const challenge = { challengeId: deps.ids.uuid(), nonce: randomBytes(32).toString('base64url'), expiresAt: now + DEVICE_CHALLENGE_TTL_MS };
      await devices.createChallenge({ ...challenge, deviceId }, now);
      return challenge;
    },

    async bindSession({ userId, deviceId, proof }) {
      if (deviceId === undefined) return { deviceId: null };
      const now = deps.clock.now();
      let device = await devices.findDevice(deviceId);
      if (device === undefined) {
        checkDeviceId(deviceId);
        // First seen at a login: recorded as `unknown`, owned by this user.
        const fresh: DeviceRecord = { id: deviceId, ownerId: userId, name: '', publicKey: null, trust: 'unknown', firstSeen: now, lastSeen: now, approvedBy: null, approvedAt: null, revokedAt: null };
        const audit: AuditInput = {
          eventType: 'resource.modified',
          userId,
          sessionId: null,
          resourceType: 'device',
          resourceId: deviceId,
          action: 'device.register',
          status: 'success',
          details: { trust: 'unknown', via: 'session' },
        };
        if (await devices.insertDevice(fresh, { records: [audit], now })) return { deviceId, deviceTrust: 'unknown' };
        device = await devices.findDevice(deviceId);
        if (device === undefined) throw new SwitchboardError('INTERNAL', 'device row vanished');
      }
      if (device.ownerId !== userId) return refuseBinding(userId, deviceId, 'the device is registered by another user', 'DEVICE_PROOF_INVALID');
      if (device.trust === 'revoked') return refuseBinding(userId, deviceId, 'the device is revoked', 'DEVICE_REVOKED');
      if (device.publicKey !== null) {
        if (proof === undefined) return refuseBinding(userId, deviceId, 'no device proof', 'DEVICE_PROOF_INVALID');
        const nonce = await devices.consumeChallenge(proof.challengeId, deviceId, now);
        if (nonce === undefined) {
          return refuseBinding(userId, deviceId, 'the challenge is unknown, used, expired or for another device', 'DEVICE_PROOF_INVALID');
        }
        if (!verifies(device.publicKey, deviceProofMessage(proof.challengeId, nonce), proof.signature)) {
          return refuseBinding(userId, deviceId, 'the signature does not verify', 'DEVICE_PROOF_INVALID');
        }
      }
      await devices.touchDevice(deviceId, now);
      return { deviceId, deviceTrust: device.trust };
    },
  };
}
