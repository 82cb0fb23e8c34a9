/**
 * (d) SSE delivery latency with many subscribers: echo tasks that emit a progress
 * event every 100 ms, each followed by several SSE subscribers; per event, the
 * delay from its `timestamp` (server clock, taken at commit; same machine) to its
 * receipt here. Baseline: a raw node:http SSE server (its own process) emitting the
 * same number of streams at the same rate with payloads of the same shape and size,
 * measured the same way. Events stamped before every subscriber was connected (plus
 * a settling second) are not counted: they are replays, not live deliveries.
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { figure, TARGETS, type Dialect, type Figure } from './lib/results.ts';
import { followSse, keepAliveAgent } from './lib/http.ts';
import { commitFigures, commitStats, startSwitchboard, submitEcho, type CommitStats } from './lib/switchboard.ts';
import { childEnv, spawnChild } from './lib/children.ts';
import { summarize, type Summary } from './lib/stats.ts';

const RAW_SCRIPT = fileURLToPath(new URL('./servers/raw-sse.ts', import.meta.url));

export interface SseSizes {
  readonly tasks: number;
  readonly subscribersPerTask: number;
  /** How long each task (stream) emits. */
  readonly durationMs: number;
  readonly intervalMs: number;
  /** Events stamped earlier than this after the last subscriber connected are not counted. */
  readonly settleMs: number;
}

export interface Delivery {
  readonly delays: Summary;
  /** Group commits of the server during the run (Switchboard only). */
  readonly commits?: CommitStats;
  readonly events: number;
  readonly meanBytes: number;
  readonly errors: number;
}

/**
 * For each of `tasks` streams: `start(k)` (submit) gives its URL, then
 * `subscribersPerTask` SSE subscribers follow it until the server ends it.
 */
async function deliver(sizes: SseSizes, token: string | undefined, start: (k: number) => Promise<string>): Promise<Delivery> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const stamped: number[] = [];
  const received: number[] = [];
  let bytes = 0;
  let opened = 0;
  let allOpenAt = Number.POSITIVE_INFINITY;
  const total = sizes.tasks * sizes.subscribersPerTask;
  const handlers = {
    onOpen(at: number) {
      opened += 1;
      if (opened === total) allOpenAt = at;
    },
    onEvent(data: string, at: number) {
      const ts = (JSON.parse(data) as { timestamp: string }).timestamp;
      stamped.push(Date.parse(ts));
      received.push(at);
      bytes += data.length;
    },
  };
  const streams: Promise<void>[] = [];
  try {
    for (let k = 0; k < sizes.tasks; k++) {
      const url = await start(k);
      for (let s = 0; s < sizes.subscribersPerTask; s++) streams.push(followSse(agent, url, token, handlers));
    }
    const settled = await Promise.allSettled(streams);
    const errors = settled.filter((r) => r.status === 'rejected').length;
    const from = allOpenAt + sizes.settleMs;
    const delays: number[] = [];
    for (let i = 0; i < stamped.length; i++) {
      const ts = stamped[i] ?? 0;
      if (ts >= from) delays.push((received[i] ?? 0) - ts);
    }
    return { delays: summarize(delays), events: delays.length, meanBytes: stamped.length ? bytes / stamped.length : 0, errors };
  } finally {
    agent.destroy();
  }
}

/** The Switchboard side of (d), also the SSE baseline of (f). */
export async function switchboardDelivery(dialect: Dialect, sizes: SseSizes): Promise<Delivery> {
  const sb = await startSwitchboard(dialect);
  const agent = keepAliveAgent(8);
  try {
    const context = { delay_ms: sizes.durationMs, progress_interval_ms: sizes.intervalMs };
    const delivery = await deliver(sizes, sb.token, async (k) => {
      const task = await submitEcho(agent, sb, `sse task ${k}`, context);
      return `${sb.url}/api/runtime/tasks/${task.task_id}/events`;
    });
    const commits = await commitStats(agent, sb.url).catch(() => undefined);
    return commits === undefined ? delivery : { ...delivery, commits };
  } finally {
    agent.destroy();
    await sb.stop();
  }
}

async function rawDelivery(sizes: SseSizes): Promise<Delivery> {
  const raw = await spawnChild<{ url: string }>(
    RAW_SCRIPT,
    childEnv({ BENCH_SSE_INTERVAL_MS: String(sizes.intervalMs), BENCH_SSE_DURATION_MS: String(sizes.durationMs) }),
  );
  try {
    return await deliver(sizes, undefined, async (k) => `${raw.info.url}/stream/${k}`);
  } finally {
    await raw.stop();
  }
}

export async function sseDelivery(dialect: Dialect, sizes: SseSizes): Promise<Figure[]> {
  const sw = await switchboardDelivery(dialect, sizes);
  const raw = await rawDelivery(sizes);
  const name = '(d) SSE delivery';
  const r = (x: number): number => Number(x.toFixed(1));
  const subs = sizes.tasks * sizes.subscribersPerTask;
  const rate = (subs * 1000) / sizes.intervalMs;
  return [
    figure(name, dialect, `Switchboard p50 / p99 (${subs} subs, ${rate} ev/s)`, `${r(sw.delays.p50)} / ${r(sw.delays.p99)}`, 'ms'),
    figure(name, dialect, 'raw node:http p50 / p99', `${r(raw.delays.p50)} / ${r(raw.delays.p99)}`, 'ms'),
    figure(name, dialect, 'ratio of p99s Switchboard / raw', r(sw.delays.p99 / raw.delays.p99), '×', TARGETS.sseP99Ratio),
    figure(name, dialect, 'max Switchboard / raw', `${r(sw.delays.max)} / ${r(raw.delays.max)}`, 'ms'),
    figure(name, dialect, 'events measured Switchboard / raw', `${sw.events} / ${raw.events}`, 'events'),
    figure(name, dialect, 'mean payload Switchboard / raw', `${Math.round(sw.meanBytes)} / ${Math.round(raw.meanBytes)}`, 'bytes'),
    ...commitFigures(name, dialect, sw.commits),
    ...(sw.errors + raw.errors > 0 ? [figure(name, dialect, 'stream errors Switchboard / raw', `${sw.errors} / ${raw.errors}`, 'streams')] : []),
  ];
}
