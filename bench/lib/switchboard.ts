/** Starting Switchboard for a benchmark: as a child process (over HTTP) or in this process. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get as httpGet } from 'node:http';
import type http from 'node:http';
import { loadConfig } from '../../src/config/load-config.ts';
import { createApp, createLogger, type App } from '../../src/app/create-app.ts';
import { figure, type Dialect, type Figure } from './results.ts';
import { makeBenchDatabase, type BenchDatabase } from './database.ts';
import { childEnv, spawnChild } from './children.ts';
import { expectStatus, requestJson } from './http.ts';
import { sleep } from './stats.ts';
import type { TaskView } from '../../src/wire/task.ts';

const SERVER_SCRIPT = fileURLToPath(new URL('../servers/switchboard.ts', import.meta.url));

/** Node flags for Switchboard server children (set by run.ts, e.g. --cpu-prof). */
export const serverNodeArgs: string[] = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);

export function benchAdminToken(): string {
  return `sbt_bench_${randomBytes(16).toString('hex')}`;
}

/** The environment Switchboard reads (loadConfig), for a fresh database. */
export function switchboardEnv(db: BenchDatabase, token: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_ADMIN_TOKEN: token,
    SWITCHBOARD_NODE_ID: `bench-${randomBytes(4).toString('hex')}`,
    SWITCHBOARD_CONCURRENCY: '256',
    SWITCHBOARD_LOG_LEVEL: 'silent',
    // The flush setting under test (default FULL), e.g. BENCH_SQLITE_SYNCHRONOUS=normal.
    ...(process.env['BENCH_SQLITE_SYNCHRONOUS'] !== undefined ? { SWITCHBOARD_SQLITE_SYNCHRONOUS: process.env['BENCH_SQLITE_SYNCHRONOUS'] } : {}),
    ...db.env,
  };
}

export interface RemoteSwitchboard {
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** More environment for the child (e.g. the variables `env:` references in the config name). */
  readonly env?: Record<string, string>;
  /** Written as switchboard.config.yaml into the data dir, where the server finds it. */
  readonly configYaml?: string;
  /** Another server script (default: servers/switchboard.ts) and more node flags for it. */
  readonly script?: string;
  readonly nodeArgs?: readonly string[];
}

export async function startSwitchboard(dialect: Dialect, options: StartOptions = {}): Promise<RemoteSwitchboard> {
  const db = makeBenchDatabase(dialect);
  const token = benchAdminToken();
  try {
    if (options.configYaml !== undefined) writeFileSync(join(db.dataDir, 'switchboard.config.yaml'), options.configYaml, { mode: 0o600 });
    const child = await spawnChild<{ url: string }>(options.script ?? SERVER_SCRIPT, childEnv({ ...switchboardEnv(db, token), ...options.env }), {
      nodeArgs: [...serverNodeArgs, ...(options.nodeArgs ?? [])],
    });
    return {
      url: child.info.url,
      token,
      pid: child.pid,
      async stop() {
        try {
          await child.stop();
        } finally {
          await db.drop();
        }
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}

export interface LocalSwitchboard {
  readonly app: App;
  readonly token: string;
  stop(): Promise<void>;
}

/** Switchboard in this process (engine and store; the HTTP server is built but not listening). */
export async function startLocalSwitchboard(dialect: Dialect): Promise<LocalSwitchboard> {
  const db = makeBenchDatabase(dialect);
  const token = benchAdminToken();
  try {
    const app = await createApp({ config: loadConfig(switchboardEnv(db, token)), logger: createLogger('silent') });
    return {
      app,
      token,
      async stop() {
        try {
          await app.close();
        } finally {
          await db.drop();
        }
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}

/** Submits one echo task over HTTP and returns the acknowledged task. */
export async function submitEcho(
  agent: http.Agent,
  sb: { readonly url: string; readonly token: string },
  prompt: string,
  context?: Record<string, unknown>,
): Promise<TaskView> {
  const res = await requestJson<TaskView>(agent, 'POST', `${sb.url}/api/runtime/tasks/submit`, {
    token: sb.token,
    body: { agent_type: 'echo', prompt, ...(context ? { context } : {}) },
  });
  return expectStatus(res, 202, 'submit');
}

/** Polls the task's state until it is terminal. */
export async function waitForTask(
  agent: http.Agent,
  sb: { readonly url: string; readonly token: string },
  taskId: string,
  timeoutMs = 30_000,
): Promise<TaskView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await requestJson<TaskView>(agent, 'GET', `${sb.url}/api/runtime/tasks/${taskId}/state`, { token: sb.token });
    const task = expectStatus(res, 200, 'state');
    if (['completed', 'failed', 'cancelled'].includes(task.state)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.state} after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Group-commit statistics from the server's Prometheus metrics. */
export interface CommitStats {
  readonly commits: number;
  readonly meanMs: number;
  readonly writesPerCommit: number;
  /** Share of commits slower than 10 ms, in %. */
  readonly over10ms: number;
}

/** Reads the group-commit metrics of a server (undefined when it does not expose them). */
export async function commitStats(agent: http.Agent, url: string): Promise<CommitStats | undefined> {
  return parseCommitStats(await new Promise<string>((resolve, reject) => {
    const req = httpGet(`${url}/metrics`, { agent }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => resolve(text));
      r.on('error', reject);
    });
    req.on('error', reject);
  }));
}

export function parseCommitStats(res: string): CommitStats | undefined {
  const value = (pattern: RegExp): number | undefined => {
    const m = pattern.exec(res);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const count = value(/^switchboard_commit_seconds_count\S* (\S+)$/m);
  const sum = value(/^switchboard_commit_seconds_sum\S* (\S+)$/m);
  const items = value(/^switchboard_commit_batch_items_sum\S* (\S+)$/m);
  const under10 = value(/^switchboard_commit_seconds_bucket\{le="0\.01"\S* (\S+)$/m);
  if (count === undefined || sum === undefined || items === undefined || count === 0) return undefined;
  return { commits: count, meanMs: (sum / count) * 1000, writesPerCommit: items / count, over10ms: under10 === undefined ? Number.NaN : ((count - under10) / count) * 100 };
}

/** Table rows for commit statistics. */
export function commitFigures(benchmark: string, dialect: Dialect, stats: CommitStats | undefined): Figure[] {
  if (stats === undefined) return [];
  return [
    figure(benchmark, dialect, 'group commits: count / mean / writes each', `${stats.commits} / ${stats.meanMs.toFixed(1)} ms / ${stats.writesPerCommit.toFixed(1)}`, ''),
    figure(benchmark, dialect, 'group commits slower than 10 ms', Number(stats.over10ms.toFixed(1)), '%'),
  ];
}
