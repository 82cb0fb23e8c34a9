/** The wire model of devices (GET /api/devices and its siblings) and of the challenge a device signs. */
import { z } from 'zod';
import type { DeviceChallenge, DeviceInfo } from '../core/domain/device.ts';
import { DeviceTrustLevels } from '../core/domain/caller.ts';
import { iso } from './primitives.ts';

export const deviceView = z.object({
  device_id: z.string(),
  name: z.string(),
  owner_id: z.string(),
  trust: z.enum(DeviceTrustLevels),
  public_key: z.string().nullable().describe('Ed25519 public key, SPKI DER in base64'),
  key_fingerprint: z.string().nullable().describe('SHA256: + base64 of the SHA-256 of the key (compare it with `switchboard devices init`)'),
  first_seen: z.string(),
  last_seen: z.string(),
  approved_by: z.string().nullable(),
  approved_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const deviceToWire = (d: DeviceInfo): z.infer<typeof deviceView> => ({
  device_id: d.id,
  name: d.name,
  owner_id: d.ownerId,
  trust: d.trust,
  public_key: d.publicKey,
  key_fingerprint: d.keyFingerprint,
  first_seen: iso(d.firstSeen),
  last_seen: iso(d.lastSeen),
  approved_by: d.approvedBy,
  approved_at: iso(d.approvedAt),
  revoked_at: iso(d.revokedAt),
});

/** POST /api/auth/device-challenge: what a device signs to prove itself. */
export const deviceChallengeView = z.object({ challenge_id: z.string(), nonce: z.string().describe('base64url, 256 bits'), expires_at: z.string() });

export const challengeToWire = (c: DeviceChallenge): z.infer<typeof deviceChallengeView> => ({ challenge_id: c.challengeId, nonce: c.nonce, expires_at: iso(c.expiresAt) });

/** GET /api/devices and POST /api/devices/{id}/revoke. */
export const deviceList = z.object({ devices: z.array(deviceView) });
export const revokedDeviceView = deviceView.extend({ revoked_sessions: z.number().int() });
export type DeviceView = z.infer<typeof deviceView>;
export type DeviceChallengeView = z.infer<typeof deviceChallengeView>;
