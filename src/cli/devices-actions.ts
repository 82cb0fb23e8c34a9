/**
 * What `switchboard devices …` does once its arguments are parsed. `init` makes
 * (or reuses) this machine's Ed25519 device key and registers its public key, which
 * leaves the device `pending` until someone with admin:users approves it.
 */
import { homedir, hostname } from 'node:os';
import { ExitCodes } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { formatTable } from './format.ts';
import { deviceClient } from './device-client.ts';
import { createDeviceKey, deviceKeyPath, keyFingerprint, readDeviceKey, signChallenge } from './device-key.ts';
import type { DeviceView } from '../wire/device.ts';

export interface DevicesInitOptions {
  readonly name?: string;
}
export interface DevicesListOptions {
  readonly all?: boolean;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** Where this machine's device key lives. */
export const deviceKeyFile = (): string => deviceKeyPath(process.env, homedir());

function deviceTable(devices: readonly DeviceView[], withOwner: boolean): string {
  return formatTable(
    ['ID', 'NAME', 'TRUST', ...(withOwner ? ['OWNER'] : []), 'KEY', 'LAST SEEN'],
    devices.map((d) => [d.device_id, d.name || '-', d.trust, ...(withOwner ? [d.owner_id] : []), d.key_fingerprint ?? '-', d.last_seen]),
  );
}

export async function devicesInitAction(ctx: CommandContext, opts: DevicesInitOptions): Promise<number> {
  const file = deviceKeyFile();
  const existing = readDeviceKey(file);
  const key = existing ?? createDeviceKey(file, opts.name ?? hostname());
  if (existing === undefined) ctx.note(`created a device key in ${file}`);
  const device = await deviceClient(ctx.client).register({ device_id: key.deviceId, name: opts.name ?? (key.name || hostname()), public_key: key.publicKey });
  if (ctx.json) {
    ctx.out(pretty(device));
    return ExitCodes.ok;
  }
  ctx.out(`Device ${device.device_id} (${device.name}) registered on ${ctx.client.url}: ${device.trust}`);
  ctx.out(`Key fingerprint: ${device.key_fingerprint ?? keyFingerprint(key.publicKey)}`);
  if (device.trust === 'pending') {
    ctx.note(`An administrator approves it with: switchboard devices approve ${device.device_id}`);
    ctx.note('(compare the fingerprint first). `switchboard login` now proves this device automatically.');
  }
  return ExitCodes.ok;
}

export async function devicesListAction(ctx: CommandContext, opts: DevicesListOptions): Promise<number> {
  const devices = await deviceClient(ctx.client).list(opts.all === true);
  ctx.out(ctx.json ? pretty(devices) : deviceTable(devices, opts.all === true));
  return ExitCodes.ok;
}

export async function devicesShowAction(ctx: CommandContext, id: string): Promise<number> {
  const device = await deviceClient(ctx.client).get(id);
  ctx.out(ctx.json ? pretty(device) : deviceTable([device], true));
  return ExitCodes.ok;
}

export async function devicesApproveAction(ctx: CommandContext, id: string): Promise<number> {
  const device = await deviceClient(ctx.client).approve(id);
  ctx.out(ctx.json ? pretty(device) : `Device ${device.device_id} (${device.name || '-'}) is ${device.trust}; key ${device.key_fingerprint ?? '-'}`);
  return ExitCodes.ok;
}

export async function devicesRevokeAction(ctx: CommandContext, id: string): Promise<number> {
  const out = await deviceClient(ctx.client).revoke(id);
  ctx.out(ctx.json ? pretty(out) : `Device ${out.device_id} is revoked; ${out.revoked_sessions} session(s) ended`);
  return ExitCodes.ok;
}

/**
 * The device part of a login: with a device key (and no other `--device` asked for),
 * the device id plus a freshly signed challenge; otherwise just the requested id.
 */
export async function loginDevice(
  ctx: CommandContext,
  requested: string | undefined,
): Promise<{ device_id?: string; device_proof?: { challenge_id: string; signature: string } }> {
  const key = readDeviceKey(deviceKeyFile());
  if (key === undefined || (requested !== undefined && requested !== key.deviceId)) return requested === undefined ? {} : { device_id: requested };
  const challenge = await deviceClient(ctx.client).challenge(key.deviceId);
  return { device_id: key.deviceId, device_proof: { challenge_id: challenge.challenge_id, signature: signChallenge(key, challenge) } };
}
