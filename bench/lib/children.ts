/**
 * Child processes under test: spawned pinned to the server core (when pinning is
 * on), announced by one JSON line on stdout, and always killed — on stop(), on
 * errors, on Ctrl-C and at exit. Children also exit by themselves when their stdin
 * closes (the bench process died), so none is ever left behind. Temp dirs made
 * here are removed at exit too.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let pinning: { server: number; client: number } | undefined;
/** Set on SIGINT/SIGTERM: nothing new is started after it. */
let aborting = false;

export function isAborting(): boolean {
  return aborting;
}

function refuseWhenAborting(): void {
  if (aborting) throw new Error('interrupted');
}
/** The project root: children run from there so `--import tsx` resolves. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildServer<I> {
  readonly info: I;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Pins this process to one core and children to the other (Linux taskset, ≥ 2 cores). */
export function enablePinning(cpus: number): string {
  if (cpus < 2) return 'off (fewer than 2 cpus)';
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    pinning = { server: 0, client: 1 };
    return 'servers on cpu 0, load generator on cpu 1 (taskset)';
  } catch {
    return 'off (taskset not available)';
  }
}

export function makeTempDir(prefix: string): string {
  refuseWhenAborting();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** The minimal environment a child gets, plus `extra` (nothing else leaks from ours). */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) base[k] = v;
  }
  return { ...base, ...extra };
}

/** Runs `script` (a .ts file) with tsx in a child and waits for its JSON announcement. */
export function spawnChild<I>(
  script: string,
  env: Record<string, string>,
  options: { readonly nodeArgs?: readonly string[]; readonly timeoutMs?: number } = {},
): Promise<ChildServer<I>> {
  refuseWhenAborting();
  const nodeArgs = ['--enable-source-maps', '--import', 'tsx', ...(options.nodeArgs ?? []), script];
  const [cmd, args] = pinning
    ? ['taskset', ['-c', String(pinning.server), process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const proc = spawn(cmd, args, { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  live.add(proc);
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      live.delete(proc);
      resolve();
    });
  });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<ChildServer<I>>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`${script} did not announce itself within ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited early (code ${code}, signal ${signal})`));
    });
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve({ info: JSON.parse(line) as I, pid: proc.pid ?? -1, stop });
      } catch (err) {
        void stop(0);
        reject(new Error(`${script} announced something that is not JSON: ${line.slice(0, 200)} (${String(err)})`));
      }
      lines.on('line', () => undefined); // drain anything else it prints
    });
  });
}

/** Synchronous last resort: kill every child still alive and remove temp dirs. */
export function killAllChildren(): void {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export function liveChildCount(): number {
  return live.size;
}

/**
 * Kills children and removes temp dirs at exit and on SIGINT/SIGTERM; on a signal,
 * `asyncCleanup` (dropping PostgreSQL schemas) gets a few seconds first.
 */
export function installCleanupHandlers(asyncCleanup: () => Promise<void>): void {
  process.once('exit', killAllChildren);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      aborting = true;
      process.stderr.write(`\n${sig}: stopping child processes\n`);
      killAllChildren();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
      void Promise.race([asyncCleanup().catch(() => undefined), deadline]).finally(() => process.exit(130));
    });
  }
}
