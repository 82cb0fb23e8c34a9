/** Runs `switchboard node` as a real child process, on a HOME with its own device key. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { cliHome, spawnCli } from './cli-process.ts';
import { createDeviceKey } from '../../src/cli/device-key.ts';
import { waitFor } from './wait.ts';

export interface NodeHome {
  readonly home: string;
  readonly deviceId: string;
}

/**
 * A HOME with a device key (made as `switchboard devices init` makes it) registered on
 * the server over the API, and approved unless `approve` is false.
 */
export async function nodeHome(url: string, token: string, name: string, approve = true): Promise<NodeHome> {
  const home = cliHome();
  const key = createDeviceKey(join(home, '.config', 'switchboard', 'device-key.json'), name);
  const call = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await call('/api/devices', { device_id: key.deviceId, name, public_key: key.publicKey });
  if (approve) await call(`/api/devices/${key.deviceId}/approve`, {});
  return { home, deviceId: key.deviceId };
}

export interface NodeProcess {
  readonly id: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves once the node printed a line containing `text` (at least `count` times). */
  waitForLine(text: string, count?: number): Promise<void>;
}

/** Starts a node; `connected` (default true) waits for its link to be up. */
export async function startNodeProcess(
  url: string,
  token: string,
  home: NodeHome,
  id: string,
  extra: readonly string[] = [],
  connected = true,
  /** Sees the process as soon as it is spawned (so a test can stop it even when it never connects). */
  spawned?: (p: NodeProcess) => void,
): Promise<NodeProcess> {
  const child = spawnCli(['node', '--server', url, '--token', token, '--id', id, ...extra], { home: home.home, env: { SWITCHBOARD_LOG_LEVEL: 'warn' } });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.resume();
  child.stdin.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const p: NodeProcess = {
    id,
    child,
    exited,
    stderr: () => err,
    waitForLine: async (text, count = 1) => {
      await waitFor(() => err.split(text).length - 1 >= count, `node ${id} to print "${text}"`, 60_000).catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; its stderr:\n${err}`);
      });
    },
  };
  spawned?.(p);
  if (connected) await p.waitForLine('connected to');
  return p;
}
