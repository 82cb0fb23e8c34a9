/**
 * (e) Streaming overhead: tasks of an `openai` agent whose model is a stub in this
 * process (lib/stub-openai.ts) emitting `tokensPerSecond` unique tokens for
 * `streamMs`, each task followed by one SSE client on its events. Per token: the
 * time from the stub writing it to the client first seeing it, in a live `preview`
 * frame or a stored `output` event, whichever comes first (same clock, same
 * process). Per task: the stored events written between its `running` and its
 * terminal state change, per second of that span (each is a database write).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { figure, TARGETS, type Dialect, type Figure } from './lib/results.ts';
import { expectStatus, followSse, keepAliveAgent, requestJson } from './lib/http.ts';
import { commitStats, startSwitchboard, type CommitStats, type RemoteSwitchboard } from './lib/switchboard.ts';
import { summarize } from './lib/stats.ts';
import { startStubModel, type StubModel } from './lib/stub-openai.ts';
import { TokenTracker } from './lib/token-tracker.ts';
import type { EventView } from '../src/wire/event.ts';
import type { TaskView } from '../src/wire/task.ts';

export interface StreamSizes {
  readonly tasks: number;
  /** How long each task's model streams. */
  readonly streamMs: number;
  readonly tokensPerSecond: number;
  readonly timeoutMs: number;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** The server's configuration: one agent `stub` talking to the stub model. */
function configYaml(stub: StubModel): string {
  return [
    'agents:',
    '  - id: stub',
    '    kind: openai',
    '    model: bench-stub',
    `    base_url: ${stub.baseUrl}`,
    '    api_key: env:BENCH_STUB_KEY',
    // One attempt: a failure shows as a failed task instead of a hidden second stream.
    '    max_attempts: 1',
    '    concurrency: 256',
    '    timeout_ms: 600000',
    '',
  ].join('\n');
}

interface TaskWrites {
  readonly state: string;
  /** Stored events strictly between the `running` and the terminal state change. */
  readonly events: number;
  /** Seconds between those two state changes (server timestamps). */
  readonly seconds: number;
}

/** Counts a finished task's stored events between its `running` and terminal state changes. */
async function taskWrites(agent: http.Agent, sb: RemoteSwitchboard, taskId: string): Promise<TaskWrites> {
  const events = expectStatus(
    await requestJson<EventView[]>(agent, 'GET', `${sb.url}/api/runtime/tasks/${taskId}/events?limit=10000`, { token: sb.token }),
    200,
    'events',
  );
  const running = events.find((e) => e.event_type === 'state_change' && e.state === 'running');
  const terminal = events.find((e) => e.event_type === 'state_change' && TERMINAL.has(e.state));
  if (running === undefined || terminal === undefined) throw new Error(`task ${taskId}: no running or no terminal state change among ${events.length} events`);
  const between = events.filter((e) => e.seq > running.seq && e.seq < terminal.seq).length;
  return { state: terminal.state, events: between, seconds: (Date.parse(terminal.timestamp) - Date.parse(running.timestamp)) / 1000 };
}

/** Follows one task's events: every output frame goes to the tracker; `onRunning` once it is running. */
function follow(sse: http.Agent, sb: RemoteSwitchboard, taskId: string, tracker: TokenTracker, onRunning: () => void): Promise<void> {
  let running = false;
  return followSse(sse, `${sb.url}/api/runtime/tasks/${taskId}/events`, sb.token, {
    onEvent(data, at, event) {
      if (event === 'preview') {
        tracker.preview(JSON.parse(data) as { task_id: string; attempt: number; chunk: number; offset: number; text: string }, at);
        return;
      }
      const e = JSON.parse(data) as EventView;
      if (e.event_type === 'output') tracker.stored(e, at);
      else if (!running && e.event_type === 'state_change' && e.state === 'running') {
        running = true;
        onRunning();
      }
    },
  });
}

/** Group-committed writes so far; `none` is what no statistics mean (none yet before the run, unknown after). */
const itemsOf = (c: CommitStats | undefined, none: number): number => (c === undefined ? none : c.commits * c.writesPerCommit);

export async function streamingOverhead(dialect: Dialect, sizes: StreamSizes): Promise<Figure[]> {
  const apiKey = `bench-${randomBytes(12).toString('hex')}`;
  const stub = await startStubModel({ tokensPerSecond: sizes.tokensPerSecond, durationMs: sizes.streamMs, apiKey });
  const agent = keepAliveAgent(8);
  const sse = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  try {
    const sb = await startSwitchboard(dialect, { configYaml: configYaml(stub), env: { BENCH_STUB_KEY: apiKey } });
    try {
      const tracker = new TokenTracker();
      const before = await commitStats(agent, sb.url).catch(() => undefined);
      const ids: string[] = [];
      const followed: Promise<void>[] = [];
      for (let k = 0; k < sizes.tasks; k++) {
        const res = await requestJson<TaskView>(agent, 'POST', `${sb.url}/api/runtime/tasks/submit`, {
          token: sb.token,
          body: { agent_type: 'stub', prompt: `bench-stream-${k}` },
        });
        const task = expectStatus(res, 202, 'submit');
        ids.push(task.task_id);
        followed.push(follow(sse, sb, task.task_id, tracker, () => stub.open(String(k))));
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`streams not finished after ${sizes.timeoutMs} ms`)), sizes.timeoutMs);
      });
      try {
        await Promise.race([Promise.all(followed), timeout]);
      } finally {
        clearTimeout(timer);
      }
      const after = await commitStats(agent, sb.url).catch(() => undefined);
      const writes: TaskWrites[] = [];
      for (const id of ids) writes.push(await taskWrites(agent, sb, id));
      return streamFigures(dialect, sizes, stub, tracker, writes, itemsOf(after, Number.NaN) - itemsOf(before, 0));
    } finally {
      await sb.stop();
    }
  } finally {
    sse.destroy();
    agent.destroy();
    await stub.close();
  }
}

function streamFigures(
  dialect: Dialect,
  sizes: StreamSizes,
  stub: StubModel,
  tracker: TokenTracker,
  writes: readonly TaskWrites[],
  storeWrites: number,
): Figure[] {
  const name = `(e) streaming overhead, ${sizes.tasks} task${sizes.tasks === 1 ? '' : 's'}`;
  const sent = stub.sentAt.length;
  const delays: number[] = [];
  stub.sentAt.forEach((at, n) => {
    const seen = tracker.seenAt.get(n);
    if (seen !== undefined) delays.push(seen - at);
  });
  const d = summarize(delays);
  const r = (x: number): number => Number(x.toFixed(1));
  const rates = summarize(writes.map((w) => w.events / w.seconds));
  const completed = writes.filter((w) => w.state === 'completed').length;
  const seconds = writes.reduce((s, w) => s + w.seconds, 0);
  const perTaskSecond = storeWrites / seconds;
  return [
    figure(name, dialect, `stub model: ${sizes.tasks} tasks × ${sizes.tokensPerSecond} tokens/s × ${sizes.streamMs / 1000} s`, `${sent} / ${sizes.tasks * Math.round((sizes.streamMs * sizes.tokensPerSecond) / 1000)}`, 'tokens sent'),
    figure(name, dialect, 'tasks completed', `${completed} / ${sizes.tasks}`, 'tasks'),
    figure(name, dialect, 'sent → seen by SSE client p99', r(d.p99), 'ms', TARGETS.streamP99Ms),
    figure(name, dialect, 'sent → seen p50 / p95 / max', `${r(d.p50)} / ${r(d.p95)} / ${r(d.max)}`, 'ms'),
    figure(name, dialect, 'tokens never seen', sent - d.count, 'tokens', TARGETS.streamUnseen),
    figure(name, dialect, 'first seen in a preview / in a stored event', `${tracker.firstBy.preview} / ${tracker.firstBy.stored}`, 'tokens'),
    figure(name, dialect, 'stored events per streaming task, mean', r(rates.mean), 'events/s', TARGETS.streamWritesPerSec),
    figure(name, dialect, 'stored events per streaming task, max', r(rates.max), 'events/s', TARGETS.streamWritesPerSec),
    figure(name, dialect, 'stored events per task / running → terminal', `${r(writes.reduce((s, w) => s + w.events, 0) / writes.length)} / ${r(seconds / writes.length)} s`, 'mean'),
    ...(Number.isFinite(perTaskSecond) ? [figure(name, dialect, 'all group-committed writes ÷ tasks ÷ streaming s', r(perTaskSecond), 'writes/s')] : []),
    ...(stub.refused() > 0 ? [figure(name, dialect, 'requests the stub refused', stub.refused(), 'requests')] : []),
  ];
}
