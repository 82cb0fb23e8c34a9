/**
 * (f) WebSocket delivery and idle cost. Delivery: the SSE benchmark's load (echo tasks
 * emitting a progress event every 100 ms, several subscribers each) followed over a few
 * WebSocket connections carrying all the subscriptions, against the same load over SSE
 * (one stream per subscriber) on a fresh server; per event, the delay from its
 * `timestamp` (server clock at commit; same machine) to its receipt, counted only once
 * every subscription is open plus a settling time (earlier ones are replays). Idle
 * cost: the server's live memory (JS heap and external, after a full collection; and
 * resident memory) before and after opening N connections that said hello and then do
 * nothing, divided by N.
 */
import { WebSocket } from 'ws';
import { figure, TARGETS, type Dialect, type Figure } from './lib/results.ts';
import { keepAliveAgent } from './lib/http.ts';
import { heapReporting, memoryOf, type Memory } from './lib/heap.ts';
import { startSwitchboard, submitEcho, type RemoteSwitchboard } from './lib/switchboard.ts';
import { nowMs, sleep, summarize, type Summary } from './lib/stats.ts';
import { switchboardDelivery, type SseSizes } from './sse.ts';

export interface WsSizes extends SseSizes {
  /** Connections the subscriptions are spread over (round robin). */
  readonly connections: number;
  /** Idle connections opened for the memory figure. */
  readonly idleConnections: number;
}

interface Connection {
  readonly socket: WebSocket;
  request(message: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Opens a connection and says hello; frames other than answers go to `onFrame`. */
function openConnection(sb: RemoteSwitchboard, onFrame: (text: string, frame: Record<string, unknown>, at: number) => void): Promise<Connection> {
  const socket = new WebSocket(`${sb.url.replace(/^http/, 'ws')}/api/runtime/ws`);
  const pending = new Map<string, (f: Record<string, unknown>) => void>();
  let next = 0;
  socket.on('message', (data) => {
    const at = nowMs();
    const text = data.toString();
    const frame = JSON.parse(text) as Record<string, unknown>;
    if (frame['type'] === 'result' || frame['type'] === 'error') {
      const id = String(frame['id']);
      pending.get(id)?.(frame);
      pending.delete(id);
    } else onFrame(text, frame, at);
  });
  const conn: Connection = {
    socket,
    request(message) {
      next += 1;
      const id = `q${next}`;
      return new Promise((resolve, reject) => {
        pending.set(id, (f) => (f['type'] === 'result' ? resolve(f) : reject(new Error(`${String(message['type'])}: ${JSON.stringify(f['error'])}`))));
        socket.send(JSON.stringify({ ...message, id }));
      });
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => {
      conn.request({ type: 'hello', protocol: 1, token: sb.token }).then(() => resolve(conn), reject);
    });
  });
}

interface WsDelivery {
  readonly delays: Summary;
  readonly events: number;
  readonly meanBytes: number;
}

async function wsDelivery(dialect: Dialect, sizes: WsSizes): Promise<WsDelivery> {
  const sb = await startSwitchboard(dialect);
  const agent = keepAliveAgent(8);
  const total = sizes.tasks * sizes.subscribersPerTask;
  const stamped: number[] = [];
  const received: number[] = [];
  let bytes = 0;
  let ended = 0;
  let allEnded: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allEnded = resolve;
  });
  const onFrame = (text: string, frame: Record<string, unknown>, at: number): void => {
    if (frame['type'] === 'event') {
      stamped.push(Date.parse((frame['event'] as { timestamp: string }).timestamp));
      received.push(at);
      bytes += text.length;
    } else if (frame['type'] === 'end' && ++ended === total) allEnded();
  };
  const conns: Connection[] = [];
  try {
    for (let c = 0; c < sizes.connections; c++) conns.push(await openConnection(sb, onFrame));
    const context = { delay_ms: sizes.durationMs, progress_interval_ms: sizes.intervalMs };
    let n = 0;
    for (let k = 0; k < sizes.tasks; k++) {
      const task = await submitEcho(agent, sb, `ws task ${k}`, context);
      const subs: Promise<unknown>[] = [];
      for (let s = 0; s < sizes.subscribersPerTask; s++) subs.push((conns[n++ % conns.length] as Connection).request({ type: 'subscribe', task_id: task.task_id }));
      await Promise.all(subs);
    }
    const from = nowMs() + sizes.settleMs;
    const timeout = sleep(sizes.durationMs * 3 + 30_000).then(() => {
      throw new Error(`only ${ended} of ${total} subscriptions ended`);
    });
    await Promise.race([done, timeout]);
    const delays: number[] = [];
    for (let i = 0; i < stamped.length; i++) {
      const ts = stamped[i] ?? 0;
      if (ts >= from) delays.push((received[i] ?? 0) - ts);
    }
    return { delays: summarize(delays), events: delays.length, meanBytes: stamped.length ? bytes / stamped.length : 0 };
  } finally {
    for (const c of conns) c.socket.terminate();
    agent.destroy();
    await sb.stop();
  }
}

async function idleMemory(dialect: Dialect, count: number): Promise<{ heap: number; rss: number; before: Memory; after: Memory }> {
  const { file, options, remove } = heapReporting();
  const sb = await startSwitchboard(dialect, options);
  const open: Connection[] = [];
  try {
    // Warm up the code paths (and the allocator) so the baseline is not the first connection's.
    const warm = await Promise.all(Array.from({ length: 20 }, () => openConnection(sb, () => undefined)));
    for (const c of warm) c.socket.close();
    await sleep(500);
    const before = await memoryOf(sb.pid, file);
    for (let i = 0; i < count; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => openConnection(sb, () => undefined)));
      open.push(...batch);
    }
    await sleep(500);
    const after = await memoryOf(sb.pid, file);
    const heap = (after.heap_used + after.external - before.heap_used - before.external) / count;
    return { heap, rss: (after.rss - before.rss) / count, before, after };
  } finally {
    for (const c of open) c.socket.terminate();
    await sb.stop();
    remove();
  }
}

export async function wsBenchmarks(dialect: Dialect, sizes: WsSizes): Promise<Figure[]> {
  const name = '(f) WebSocket';
  const r = (x: number): number => Number(x.toFixed(1));
  const subs = sizes.tasks * sizes.subscribersPerTask;
  const rate = (subs * 1000) / sizes.intervalMs;
  const ws = await wsDelivery(dialect, sizes);
  const sse = await switchboardDelivery(dialect, sizes);
  const idle = await idleMemory(dialect, sizes.idleConnections);
  return [
    figure(name, dialect, `WS p50 / p99 (${subs} subs on ${sizes.connections} conns, ${rate} ev/s)`, `${r(ws.delays.p50)} / ${r(ws.delays.p99)}`, 'ms'),
    figure(name, dialect, `SSE p50 / p99 (${subs} streams)`, `${r(sse.delays.p50)} / ${r(sse.delays.p99)}`, 'ms'),
    figure(name, dialect, 'ratio of p99s WS / SSE', r(ws.delays.p99 / sse.delays.p99), '×', TARGETS.wsP99Ratio),
    figure(name, dialect, 'max WS / SSE', `${r(ws.delays.max)} / ${r(sse.delays.max)}`, 'ms'),
    figure(name, dialect, 'events measured WS / SSE', `${ws.events} / ${sse.events}`, 'events'),
    figure(name, dialect, 'mean frame WS / SSE payload', `${Math.round(ws.meanBytes)} / ${Math.round(sse.meanBytes)}`, 'bytes'),
    // The larger of the two: live JS heap + external after a full GC, and resident memory.
    figure(name, dialect, `memory per idle connection (${sizes.idleConnections} conns)`, r(Math.max(idle.heap, idle.rss) / 1024), 'KB', TARGETS.wsIdleKb),
    figure(name, dialect, 'per idle connection: JS heap+external / RSS', `${r(idle.heap / 1024)} / ${r(idle.rss / 1024)}`, 'KB'),
    figure(name, dialect, 'server RSS before / after', `${Math.round(idle.before.rss / 2 ** 20)} / ${Math.round(idle.after.rss / 2 ** 20)}`, 'MiB'),
  ];
}
