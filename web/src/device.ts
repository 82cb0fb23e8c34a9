/**
 * This browser as a device (device trust as the API defines it): an Ed25519 key pair
 * made with WebCrypto, its private half not extractable, kept in IndexedDB with the
 * device id. Registering sends the public key (the device starts `pending` until it is
 * approved); every sign-in afterwards signs a fresh challenge, so a session is bound to
 * the device and carries its trust. Nothing here is readable as a secret by scripts:
 * the private key can sign, never be exported.
 */
import { api } from './api.ts';
import { deviceProofMessage } from '../../src/core/domain/device.ts';

export interface BrowserDevice {
  readonly id: string;
  readonly keys: CryptoKeyPair;
}

export interface DeviceProofFields {
  readonly device_id: string;
  readonly device_proof: { readonly challenge_id: string; readonly signature: string };
}

const DB_NAME = 'switchboard';
const STORE = 'device';
const KEY = 'this-browser';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

async function store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await request(open);
  return db.transaction(STORE, mode).objectStore(STORE);
}

const base64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** The device this browser registered, if any (undefined where IndexedDB or WebCrypto is missing). */
export async function loadDevice(): Promise<BrowserDevice | undefined> {
  if (typeof indexedDB === 'undefined') return undefined;
  try {
    return (await request((await store('readonly')).get(KEY))) as BrowserDevice | undefined;
  } catch {
    return undefined;
  }
}

export async function forgetDevice(): Promise<void> {
  await request((await store('readwrite')).delete(KEY));
}

/** Makes a key pair, registers it as one of the user's devices (pending until approved) and keeps it. */
export async function registerDevice(name: string): Promise<BrowserDevice> {
  const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const device: BrowserDevice = { id: crypto.randomUUID(), keys };
  const publicKey = base64(await crypto.subtle.exportKey('spki', keys.publicKey));
  await api('POST', '/api/devices', { device_id: device.id, name, public_key: publicKey });
  await request((await store('readwrite')).put(device, KEY));
  return device;
}

/** A signed challenge for a new session on this device. */
export async function proveDevice(device: BrowserDevice): Promise<DeviceProofFields> {
  const challenge = await api<{ challenge_id: string; nonce: string }>('POST', '/api/auth/device-challenge', { device_id: device.id });
  const message = new TextEncoder().encode(deviceProofMessage(challenge.challenge_id, challenge.nonce));
  const signature = base64(await crypto.subtle.sign({ name: 'Ed25519' }, device.keys.privateKey, message));
  return { device_id: device.id, device_proof: { challenge_id: challenge.challenge_id, signature } };
}

/** A name for this browser in the device list, e.g. "Chrome on Linux". */
export function browserName(userAgent: string): string {
  const browser = /Firefox\//.test(userAgent) ? 'Firefox' : /Edg\//.test(userAgent) ? 'Edge' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser';
  const os = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Windows/.test(userAgent) ? 'Windows' : /Linux/.test(userAgent) ? 'Linux' : 'an unknown system';
  return `${browser} on ${os}`;
}
