/**
 * The CLI's device key: an Ed25519 key pair made by `switchboard devices init`, kept
 * with the device id in ~/.config/switchboard/device-key.json (or
 * $SWITCHBOARD_CLI_DEVICE_KEY). The file holds a private key: it is created 0600 in
 * a 0700 directory, written whole (temp + rename), and refused when others can read it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { dirname, join } from 'node:path';
import { deviceProofMessage } from '../core/domain/device.ts';
import { UsageError } from './cli-errors.ts';

/** A device key as the CLI uses it. */
export interface DeviceKey {
  readonly deviceId: string;
  readonly name: string;
  /** SPKI DER, base64: what the server registers. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

interface DeviceKeyFile {
  readonly device_id: string;
  readonly name: string;
  readonly public_key: string;
  /** PKCS#8 DER, base64. */
  readonly private_key: string;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** $SWITCHBOARD_CLI_DEVICE_KEY or ~/.config/switchboard/device-key.json. */
export function deviceKeyPath(env: NodeJS.ProcessEnv, homeDir: string): string {
  return nonEmpty(env['SWITCHBOARD_CLI_DEVICE_KEY']) ?? join(homeDir, '.config', 'switchboard', 'device-key.json');
}

/** The stored key, or undefined when there is none. */
export function readDeviceKey(file: string): DeviceKey | undefined {
  if (!existsSync(file)) return undefined;
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new UsageError(`${file} holds a private key and others can read it; run: chmod 600 ${file}`);
  }
  let v: Partial<DeviceKeyFile>;
  try {
    v = JSON.parse(readFileSync(file, 'utf8')) as Partial<DeviceKeyFile>;
  } catch (err) {
    throw new UsageError(`device key file ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof v.device_id !== 'string' || typeof v.public_key !== 'string' || typeof v.private_key !== 'string') {
    throw new UsageError(`device key file ${file} is incomplete; remove it and run: switchboard devices init`);
  }
  const privateKey = createPrivateKey({ key: Buffer.from(v.private_key, 'base64'), format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new UsageError(`device key file ${file} does not hold an Ed25519 key`);
  return { deviceId: v.device_id, name: String(v.name ?? ''), publicKey: v.public_key, privateKey };
}

/** Makes a new key pair with a fresh device id and stores it (0600). */
export function createDeviceKey(file: string, name: string): DeviceKey {
  const pair = generateKeyPairSync('ed25519');
  const key: DeviceKey = {
    deviceId: randomUUID(),
    name,
    publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: pair.privateKey,
  };
  const stored: DeviceKeyFile = {
    device_id: key.deviceId,
    name,
    public_key: key.publicKey,
    private_key: pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return key;
}

/** The signature (base64) of a challenge: see `deviceProofMessage` for the signed text. */
export function signChallenge(key: DeviceKey, challenge: { readonly challenge_id: string; readonly nonce: string }): string {
  return sign(null, Buffer.from(deviceProofMessage(challenge.challenge_id, challenge.nonce), 'utf8'), key.privateKey).toString('base64');
}

/** The key's fingerprint as the server shows it: `SHA256:` + unpadded base64. */
export function keyFingerprint(publicKey: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('base64').replace(/=+$/, '')}`;
}
