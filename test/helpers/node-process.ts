/** Runs `switchboard node` as a real child process, on a HOME with its own device key. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHome, runCli, spawnCli } from './cli-process.ts';
import { waitFor } from './wait.ts';

export interface NodeHome {
  readonly home: string;
  readonly deviceId: string;
}

/** A HOME with a device key registered on the server (approved unless `approve` is false). */
export async function nodeHome(url: string, token: string, name: string, approve = true): Promise<NodeHome> {
  const home = cliHome();
  const init = await runCli(['devices', 'init', '--name', name], { url, token, home });
  if (init.code !== 0) throw new Error(`devices init failed: ${init.stderr}`);
  const key = JSON.parse(readFileSync(join(home, '.config', 'switchboard', 'device-key.json'), 'utf8')) as { device_id: string };
  if (approve) {
    const ok = await runCli(['devices', 'approve', key.device_id], { url, token, home });
    if (ok.code !== 0) throw new Error(`devices approve failed: ${ok.stderr}`);
  }
  return { home, deviceId: key.device_id };
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
      await waitFor(() => err.split(text).length - 1 >= count, `node ${id} to print "${text}"`, 30_000).catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; its stderr:\n${err}`);
      });
    },
  };
  if (connected) await p.waitForLine('connected to');
  return p;
}
