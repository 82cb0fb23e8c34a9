/**
 * (b) Latency submit → completed at a fixed, moderate rate over HTTP (open loop:
 * submits go out on schedule, whether or not earlier tasks are done). Right after
 * each submit is acknowledged, the task's SSE stream is opened; the latency is the
 * time from sending the submit to receiving the terminal event. The in-process
 * variant does the same through the runtime (submit, then its event stream),
 * without HTTP or SSE.
 */
import { figure, TARGETS, type Dialect, type Figure } from './lib/results.ts';
import { followSse, keepAliveAgent } from './lib/http.ts';
import { startLocalSwitchboard, startSwitchboard, submitEcho, type RemoteSwitchboard } from './lib/switchboard.ts';
import type { Caller } from '../src/core/domain/caller.ts';
import { isPreview } from '../src/core/domain/event.ts';
import { nowMs, sleep, summarize } from './lib/stats.ts';
import type http from 'node:http';

export interface LatencySizes {
  /** Submits per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly timeoutMs: number;
}

interface Sample {
  /** When the submit was due (schedule), sent, acknowledged, and its terminal event received. */
  readonly dueAt: number;
  readonly sentAt: number;
  readonly ackAt: number;
  readonly doneAt: number;
  readonly state: string;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

async function track(sb: RemoteSwitchboard, agents: { submit: http.Agent; sse: http.Agent }, i: number, dueAt: number): Promise<Sample> {
  const sentAt = nowMs();
  const task = await submitEcho(agents.submit, sb, `latency task ${i}`);
  const ackAt = nowMs();
  let doneAt = Number.NaN;
  let state = 'unfinished';
  await followSse(agents.sse, `${sb.url}/api/runtime/tasks/${task.task_id}/events`, sb.token, {
    onEvent(data, at) {
      const e = JSON.parse(data) as { event_type: string; state: string };
      if (e.event_type === 'state_change' && TERMINAL.has(e.state) && Number.isNaN(doneAt)) {
        doneAt = at;
        state = e.state;
      }
    },
  });
  return { dueAt, sentAt, ackAt, doneAt, state };
}

/** Sends `rate × seconds` submits on a fixed schedule; resolves with every sample. */
async function openLoop(
  count: number,
  rate: number,
  run: (i: number, dueAt: number) => Promise<Sample>,
): Promise<PromiseSettledResult<Sample>[]> {
  const runs: Promise<Sample>[] = [];
  const start = nowMs() + 20;
  for (let i = 0; i < count; ) {
    const now = nowMs();
    for (let due = start + (i * 1000) / rate; i < count && due <= now; due = start + (i * 1000) / rate) runs.push(run(i++, due));
    if (i < count) await sleep(Math.max(0, Math.min(5, start + (i * 1000) / rate - nowMs())));
  }
  return Promise.allSettled(runs);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function latencyHttp(dialect: Dialect, sizes: LatencySizes): Promise<Figure[]> {
  const sb = await startSwitchboard(dialect);
  const agents = { submit: keepAliveAgent(256), sse: keepAliveAgent(4096) };
  const name = '(b) latency HTTP';
  try {
    const run = (i: number, dueAt: number): Promise<Sample> => track(sb, agents, i, dueAt);
    await openLoop(Math.round(sizes.rate * sizes.warmupSeconds), sizes.rate, (i, due) => run(-1 - i, due));
    const count = Math.round(sizes.rate * sizes.seconds);
    const settled = await withTimeout(openLoop(count, sizes.rate, run), sizes.timeoutMs + sizes.seconds * 1000, 'latency run');
    return latencyFigures(name, dialect, sizes.rate, count, settled);
  } finally {
    agents.submit.destroy();
    agents.sse.destroy();
    await sb.stop();
  }
}

function latencyFigures(name: string, dialect: Dialect, rate: number, count: number, settled: readonly PromiseSettledResult<Sample>[]): Figure[] {
  const samples = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const errors = settled.filter((s) => s.status === 'rejected');
  const done = samples.filter((s) => s.state === 'completed');
  const e2e = summarize(done.map((s) => s.doneAt - s.sentAt));
  const ack = summarize(samples.map((s) => s.ackAt - s.sentAt));
  const lag = summarize(samples.map((s) => s.sentAt - s.dueAt));
  const first = samples[0]?.sentAt ?? 0;
  const lastSent = samples.reduce((m, s) => Math.max(m, s.sentAt), first);
  const r = (x: number): number => Number(x.toFixed(1));
  const firstError = errors[0];
  if (firstError !== undefined) process.stderr.write(`latency: ${errors.length} errors, first: ${String(firstError.reason)}\n`);
  return [
    figure(name, dialect, `submit→completed p50 @ ${rate}/s`, r(e2e.p50), 'ms'),
    figure(name, dialect, `submit→completed p90`, r(e2e.p90), 'ms'),
    figure(name, dialect, `submit→completed p99`, r(e2e.p99), 'ms', rate === 1000 && dialect === 'sqlite' ? TARGETS.latencyP99Ms : undefined),
    figure(name, dialect, `submit→completed max`, r(e2e.max), 'ms'),
    figure(name, dialect, 'submit ack p50 / p99', `${r(ack.p50)} / ${r(ack.p99)}`, 'ms'),
    figure(name, dialect, 'achieved submit rate', r((samples.length - 1) / ((lastSent - first) / 1000)), 'tasks/s'),
    figure(name, dialect, 'client schedule lag p99', r(lag.p99), 'ms'),
    figure(name, dialect, 'completed / sent (errors)', `${done.length}/${count} (${errors.length})`, 'tasks'),
  ];
}

/** The same open loop through the runtime in the server's own process: the engine's latency without HTTP. */
export async function latencyInProcess(dialect: Dialect, sizes: LatencySizes): Promise<Figure[]> {
  const local = await startLocalSwitchboard(dialect);
  const name = '(b) latency in-process';
  try {
    const { runtime, authenticator } = local.app;
    const caller: Caller = await authenticator.authenticate(local.token);
    const run = async (i: number, dueAt: number): Promise<Sample> => {
      const sentAt = nowMs();
      const { task } = await runtime.submit(caller, { agentType: 'echo', prompt: `latency task ${i}` });
      const ackAt = nowMs();
      let doneAt = Number.NaN;
      let state = 'unfinished';
      for await (const item of await runtime.stream(caller, task.id)) {
        if (isPreview(item) || item.type !== 'state_change' || !TERMINAL.has(item.state)) continue;
        doneAt = nowMs();
        state = item.state;
        break;
      }
      return { dueAt, sentAt, ackAt, doneAt, state };
    };
    await openLoop(Math.round(sizes.rate * sizes.warmupSeconds), sizes.rate, (i, due) => run(-1 - i, due));
    const count = Math.round(sizes.rate * sizes.seconds);
    const settled = await withTimeout(openLoop(count, sizes.rate, run), sizes.timeoutMs + sizes.seconds * 1000, 'latency run');
    return latencyFigures(name, dialect, sizes.rate, count, settled);
  } finally {
    await local.stop();
  }
}
