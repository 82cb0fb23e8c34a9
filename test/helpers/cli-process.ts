/**
 * Runs the real `switchboard` CLI (src/app/main.ts) as a child process, in an
 * environment free of the caller's SWITCHBOARD_* settings, config file and data dir.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src', 'app', 'main.ts');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** SWITCHBOARD_URL; unset when absent. */
  readonly url?: string | undefined;
  /** SWITCHBOARD_TOKEN; unset when absent. */
  readonly token?: string | undefined;
  /** HOME (its `data` folder is the data dir); a new temporary folder when absent. */
  readonly home?: string | undefined;
  /** Set last, over everything above. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
}

export interface RunOptions extends CliOptions {
  /** Written to the CLI's standard input, which is then closed. */
  readonly stdin?: string | undefined;
}

/** A temporary HOME for one or more CLI runs. */
export function cliHome(): string {
  return mkdtempSync(join(tmpdir(), 'sb-cli-home-'));
}

/** The CLI's environment for a run with HOME `home` (also for spawning it through another library). */
export function cliEnv(home: string, opts: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHBOARD_')) env[k] = v;
  Object.assign(env, { HOME: home, SWITCHBOARD_DATA_DIR: join(home, 'data'), NO_COLOR: '1' });
  if (opts.url !== undefined) env['SWITCHBOARD_URL'] = opts.url;
  if (opts.token !== undefined) env['SWITCHBOARD_TOKEN'] = opts.token;
  return Object.assign(env, opts.env);
}

/** The command line that runs the CLI: `node --import tsx src/app/main.ts …args`, from the repository root. */
export function cliCommand(args: readonly string[]): { readonly command: string; readonly args: string[]; readonly cwd: string } {
  return { command: process.execPath, args: ['--import', 'tsx', MAIN, ...args], cwd: ROOT };
}

/** Starts the CLI and returns the child (for runs watched while they go on). */
export function spawnCli(args: readonly string[], opts: CliOptions = {}): ChildProcessWithoutNullStreams {
  const env = cliEnv(opts.home ?? cliHome(), opts);
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: opts.cwd ?? ROOT, env });
}

/** Collects a started CLI's output until it exits; `onStdout` sees all of stdout so far at each chunk. */
export function finished(
  child: ChildProcessWithoutNullStreams,
  opts: { stdin?: string | undefined; onStdout?: ((seen: string) => void) | undefined } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    opts.onStdout?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(opts.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI to its end; a HOME it made itself is removed afterwards. */
export async function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  const home = opts.home ?? cliHome();
  try {
    return await finished(spawnCli(args, { ...opts, home }), { stdin: opts.stdin });
  } finally {
    if (opts.home === undefined) rmSync(home, { recursive: true, force: true });
  }
}

/** Runs the CLI against a test server, as its admin unless `token` says otherwise (`null`: no token at all). */
export function runCliAgainst(
  server: { readonly url: string; readonly adminToken: string },
  args: readonly string[],
  opts: Omit<RunOptions, 'url' | 'token'> & { readonly token?: string | null | undefined } = {},
): Promise<CliResult> {
  const token = opts.token === null ? undefined : (opts.token ?? server.adminToken);
  return runCli(args, { ...opts, url: server.url, token });
}
