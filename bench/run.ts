/**
 * The benchmark suite (`npm run bench`). Figures are printed, never asserted.
 *
 *   npm run bench -- [--quick] [--json] [--db sqlite|postgres|all] [--only a,b,c,d,e,f,g,m] [--no-pin] [--profile]
 *
 * (g), several servers on one database, runs on PostgreSQL only; its scaling figure
 * needs a core per server (run it with --no-pin on a machine with enough of them).
 *
 * Servers under test run in child processes pinned to one core; this process (the
 * load generator, and the engine of the in-process figure) runs on the other.
 * With --json the table goes to stderr and the results as JSON to stdout (use
 * `npm run --silent bench -- --json` so npm's banner stays out of it).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { figure, type Dialect, type Figure } from './lib/results.ts';
import { enablePinning, installCleanupHandlers, isAborting, killAllChildren, liveChildCount } from './lib/children.ts';
import { dropAllDatabases, postgresReachable, postgresUrl, redactUrl } from './lib/database.ts';
import { serverNodeArgs } from './lib/switchboard.ts';
import { renderTable } from './lib/table.ts';
import { throughputHttp, throughputInProcess, type ThroughputSizes } from './throughput.ts';
import { latencyHttp, latencyInProcess, type LatencySizes } from './latency.ts';
import { overheadHttp, type OverheadSizes } from './overhead.ts';
import { sseDelivery, type SseSizes } from './sse.ts';
import { overheadSession } from './overhead-session.ts';
import { streamingOverhead, type StreamSizes } from './stream.ts';
import { memoryFigures, type MemorySizes } from './memory.ts';
import { wsBenchmarks, type WsSizes } from './ws.ts';
import { clusterFigures, type ClusterSizes } from './cluster.ts';

/** Linux CPU pressure ("some" avg10 / avg60, %): how much runnable work waited for a CPU. */
function cpuPressure(): string {
  try {
    const m = /some avg10=(\S+) avg60=(\S+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? `cpu pressure avg10 ${m[1]}% avg60 ${m[2]}%` : 'cpu pressure n/a';
  } catch {
    return 'cpu pressure n/a';
  }
}

interface Sizes {
  readonly throughput: ThroughputSizes;
  readonly latency: LatencySizes;
  readonly overhead: OverheadSizes;
  readonly sse: SseSizes;
  readonly stream: StreamSizes;
  readonly memory: MemorySizes;
  readonly ws: WsSizes;
  readonly cluster: ClusterSizes;
}

const FULL: Sizes = {
  throughput: { tasks: 10_000, warmup: 500, inflight: 96, window: 256, timeoutMs: 120_000 },
  latency: { rate: 200, seconds: 10, warmupSeconds: 1, timeoutMs: 60_000 },
  overhead: { connections: 50, seconds: 10, warmupSeconds: 2 },
  sse: { tasks: 100, subscribersPerTask: 10, durationMs: 15_000, intervalMs: 100, settleMs: 1000 },
  stream: { tasks: 10, streamMs: 10_000, tokensPerSecond: 2000, timeoutMs: 120_000 },
  memory: { sseConnections: 1000, tasks: 100_000, inflight: 96, settleMs: 1000, timeoutMs: 600_000 },
  ws: { tasks: 100, subscribersPerTask: 10, durationMs: 15_000, intervalMs: 100, settleMs: 1000, connections: 10, idleConnections: 1000 },
  cluster: { tasks: 10_000, inflight: 96, cancels: 200, timeoutMs: 120_000 },
};

const QUICK: Sizes = {
  throughput: { tasks: 500, warmup: 50, inflight: 64, window: 128, timeoutMs: 30_000 },
  latency: { rate: 100, seconds: 1, warmupSeconds: 0.2, timeoutMs: 20_000 },
  overhead: { connections: 50, seconds: 1, warmupSeconds: 0.2 },
  sse: { tasks: 10, subscribersPerTask: 5, durationMs: 1500, intervalMs: 100, settleMs: 300 },
  stream: { tasks: 2, streamMs: 2000, tokensPerSecond: 2000, timeoutMs: 60_000 },
  memory: { sseConnections: 200, tasks: 2000, inflight: 64, settleMs: 300, timeoutMs: 60_000 },
  ws: { tasks: 10, subscribersPerTask: 5, durationMs: 1500, intervalMs: 100, settleMs: 300, connections: 2, idleConnections: 200 },
  cluster: { tasks: 1000, inflight: 48, cancels: 30, timeoutMs: 60_000 },
};

const USAGE = 'usage: npm run bench -- [--quick] [--json] [--db sqlite|postgres|all] [--only a,b,c,d,e,f,g,m] [--no-pin] [--profile]';

interface Options {
  readonly quick: boolean;
  readonly json: boolean;
  readonly db: 'sqlite' | 'postgres' | 'all';
  readonly only: ReadonlySet<string>;
  readonly pin: boolean;
  readonly profile: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let json = false;
  let db: Options['db'] = 'all';
  let only = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'm']);
  let pin = true;
  let profile = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    if (flag === '--quick') quick = true;
    else if (flag === '--json') json = true;
    else if (flag === '--no-pin') pin = false;
    else if (flag === '--profile') profile = true;
    else if (flag === '--db') {
      const v = value();
      if (v !== 'sqlite' && v !== 'postgres' && v !== 'all') throw new Error(`--db must be sqlite, postgres or all\n${USAGE}`);
      db = v;
    } else if (flag === '--only') only = new Set(value().split(',').map((s) => s.trim().toLowerCase()));
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return { quick, json, db, only, pin, profile };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const out = (s: string): boolean => (options.json ? process.stderr : process.stdout).write(`${s}\n`);
  const log = (s: string): boolean => process.stderr.write(`${s}\n`);
  installCleanupHandlers(dropAllDatabases);
  const sizes = options.quick ? QUICK : FULL;
  const cpus = os.cpus();
  const pinning = options.pin ? enablePinning(cpus.length) : 'off (--no-pin)';
  const pgUrl = postgresUrl();
  const pgUp = options.db === 'sqlite' ? false : await postgresReachable(pgUrl);
  const dialects: Dialect[] = [];
  if (options.db !== 'postgres') dialects.push('sqlite');
  if (options.db !== 'sqlite' && pgUp) dialects.push('postgres');
  if (options.db === 'postgres' && !pgUp) throw new Error(`PostgreSQL is not reachable at ${redactUrl(pgUrl)}`);
  const profileDir = options.profile ? mkdtempSync(join(os.tmpdir(), 'switchboard-bench-prof-')) : undefined;
  if (profileDir !== undefined) serverNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);

  const machine = {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? 'unknown',
    memory_gb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    load_average: os.loadavg().map((x) => Number(x.toFixed(2))),
    cpu_pressure: cpuPressure(),
    pinning,
    postgres: options.db === 'sqlite' ? 'not requested' : pgUp ? `reachable at ${redactUrl(pgUrl)}` : `not reachable at ${redactUrl(pgUrl)} (skipped)`,
  };
  out(`Switchboard benchmarks (${options.quick ? 'quick sizes: smoke run only' : 'full sizes'})`);
  out(`machine: ${machine.cpus} cpus (${machine.cpu_model}), ${machine.memory_gb} GB, node ${machine.node}, ${machine.platform}`);
  out(`load average: ${machine.load_average.join(' ')}; ${machine.cpu_pressure}; pinning: ${pinning}`);
  out(`postgres: ${machine.postgres}`);
  out('note: figures are noisy on a shared 2-core machine; compare runs on the same machine, and repeat before drawing conclusions.\n');

  const plan: { key: string; label: string; run: (d: Dialect) => Promise<Figure[]> }[] = [
    { key: 'a', label: '(a) throughput HTTP', run: (d) => throughputHttp(d, sizes.throughput) },
    { key: 'a', label: '(a) throughput in-process', run: (d) => throughputInProcess(d, sizes.throughput) },
    { key: 'b', label: '(b) latency HTTP', run: (d) => latencyHttp(d, sizes.latency) },
    // The steady rate the throughput issue names, next to BullMQ's figure at the same rate.
    { key: 'b', label: '(b) latency HTTP', run: (d) => latencyHttp(d, { ...sizes.latency, rate: options.quick ? 300 : 1000 }) },
    { key: 'b', label: '(b) latency in-process', run: (d) => latencyInProcess(d, { ...sizes.latency, rate: options.quick ? 300 : 1000 }) },
    { key: 'c', label: '(c) per-call overhead', run: (d) => overheadHttp(d, sizes.overhead) },
    { key: 'c', label: '(c2) session GET state', run: (d) => overheadSession(d, sizes.overhead) },
    { key: 'd', label: '(d) SSE delivery', run: (d) => sseDelivery(d, sizes.sse) },
    // The target's case (one model streaming), then ten at once as a load figure.
    { key: 'e', label: '(e) streaming overhead, 1 task', run: (d) => streamingOverhead(d, { ...sizes.stream, tasks: 1 }) },
    { key: 'e', label: '(e) streaming overhead, many tasks', run: (d) => streamingOverhead(d, sizes.stream) },
    { key: 'm', label: '(m) server memory', run: (d) => memoryFigures(d, sizes.memory) },
    { key: 'f', label: '(f) WebSocket delivery and idle memory', run: (d) => wsBenchmarks(d, sizes.ws) },
    { key: 'g', label: '(g) several servers on one database', run: (d) => clusterFigures(d, sizes.cluster) },
  ];
  const figures: Figure[] = [];
  let failures = 0;
  for (const dialect of dialects) {
    for (const step of plan.filter((p) => options.only.has(p.key))) {
      if (isAborting()) break;
      const started = Date.now();
      log(`running ${step.label} on ${dialect} ...`);
      try {
        figures.push(...(await step.run(dialect)));
        log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures += 1;
        log(`  FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        figures.push(figure(step.label, dialect, 'error', err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err), ''));
      }
      await dropAllDatabases();
      if (liveChildCount() > 0) killAllChildren();
    }
  }

  out('');
  out(renderTable(figures));
  out(`\nat the end: load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, ${cpuPressure()} (at the start: ${machine.load_average.join(' ')}, ${machine.cpu_pressure})`);
  out(
    'Issue targets: in-process ≥ 5,000 tasks/s and HTTP ≥ 3,000 tasks/s on SQLite, ≥ 2,500 / 2,000 on PostgreSQL; submit→completed p99 ≤ 20 ms at 1,000 tasks/s on SQLite (b); SSE p99 ratio ≤ 1.5; per-call ratio ≥ 0.60 (c), ' +
      'also session-authenticated and policy-checked (c2); streamed text sent → seen p99 ≤ 50 ms with no token lost and < 20 stored events/s per streaming task (e); ' +
      'WebSocket delivery p99 with 1,000 subscriptions no worse than SSE\'s, < 50 KB per idle WebSocket connection (f); ' +
      'on PostgreSQL, three servers ≥ 2 × one server\'s throughput and cross-server cancel → agent stopped p99 < 1 s (g).',
  );
  if (profileDir !== undefined) out(`CPU profiles of the Switchboard server processes: ${profileDir} (kept; remove when done)`);
  if (options.json) {
    const sizesUsed = { throughput: sizes.throughput, latency: sizes.latency, overhead: sizes.overhead, sse: sizes.sse, stream: sizes.stream, memory: sizes.memory, ws: sizes.ws, cluster: sizes.cluster };
    process.stdout.write(`${JSON.stringify({ machine, quick: options.quick, sizes: sizesUsed, figures, failures }, null, 2)}\n`);
  }
  return failures === 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await dropAllDatabases();
    process.exitCode = code;
  })
  .catch(async (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    await dropAllDatabases();
    process.exitCode = 2;
  })
  .finally(() => {
    killAllChildren();
  });
