/**
 * The baseline of the SSE figure: a raw node:http SSE server. GET /stream/<k> joins
 * stream k; a stream starts at its first subscriber, emits a progress event every
 * BENCH_SSE_INTERVAL_MS for BENCH_SSE_DURATION_MS, then a terminal event, and ends.
 * Payloads have the shape (and so the size) of Switchboard's task events, with the
 * timestamp taken right before the write.
 */
import { createServer, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { announce, exitWith } from './child-common.ts';

const intervalMs = Number(process.env['BENCH_SSE_INTERVAL_MS'] ?? 100);
const durationMs = Number(process.env['BENCH_SSE_DURATION_MS'] ?? 15_000);

interface Stream {
  readonly taskId: string;
  readonly subscribers: Set<ServerResponse>;
  seq: number;
  elapsed: number;
  timer?: NodeJS.Timeout;
  done: boolean;
}

const streams = new Map<string, Stream>();

function emit(s: Stream, state: string, type: string, message: string, progress: number | null): void {
  s.seq += 1;
  const event = {
    task_id: s.taskId,
    seq: s.seq,
    event_type: type,
    state,
    message,
    progress,
    metadata: null,
    timestamp: new Date().toISOString(),
  };
  const frame = `id: ${s.seq}\ndata: ${JSON.stringify(event)}\n\n`;
  for (const res of s.subscribers) res.write(frame);
}

function start(s: Stream): void {
  s.timer = setInterval(() => {
    s.elapsed += intervalMs;
    emit(s, 'running', 'progress', `${s.elapsed}/${durationMs} ms`, (s.elapsed / durationMs) * 100);
    if (s.elapsed >= durationMs) {
      clearInterval(s.timer);
      emit(s, 'completed', 'state_change', 'Completed', 100);
      s.done = true;
      for (const res of s.subscribers) res.end();
      s.subscribers.clear();
    }
  }, intervalMs);
}

const server = createServer((req, res) => {
  const m = /^\/stream\/([\w-]+)$/.exec(req.url ?? '');
  if (req.method !== 'GET' || m?.[1] === undefined) {
    res.writeHead(404).end();
    return;
  }
  const key = m[1];
  let s = streams.get(key);
  if (s === undefined) {
    s = { taskId: randomUUID(), subscribers: new Set(), seq: 2, elapsed: 0, done: false };
    streams.set(key, s);
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  if (s.done) {
    res.end();
    return;
  }
  const stream = s;
  stream.subscribers.add(res);
  res.on('close', () => stream.subscribers.delete(res));
  if (stream.timer === undefined) start(stream);
});
server.keepAliveTimeout = 5000;

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  exitWith(async () => {
    for (const s of streams.values()) clearInterval(s.timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  announce({ url: `http://127.0.0.1:${port}`, pid: process.pid });
});
