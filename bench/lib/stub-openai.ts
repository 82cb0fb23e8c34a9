/**
 * A stub OpenAI-compatible model for the streaming figure, in the bench process:
 * `POST /v1/chat/completions` with `stream: true` answers `text/event-stream` chunks
 * at `tokensPerSecond` for `durationMs`, then a chunk with finish_reason "stop" and
 * usage, then `data: [DONE]`; `GET /v1/models` answers the availability check.
 *
 * Every token's text is unique across all streams (`t<n> `, n counting from 0), and
 * its send time (performance.timeOrigin + performance.now(), the same clock as the
 * SSE client's) is recorded. Timers cannot fire every 0.5 ms, so one ticker every
 * `tickMs` writes each stream the tokens that fell due since its last write, in one
 * burst; a token's send time is the time of that write.
 *
 * A stream starts sending only once `open(key)` is called for its key (found in the
 * request as `bench-stream-<key>`), so the measurement starts with the watcher live
 * rather than with a replay of stored history; after `gateTimeoutMs` it starts anyway.
 */
import http from 'node:http';
import { nowMs } from './stats.ts';

export interface StubOptions {
  readonly tokensPerSecond: number;
  readonly durationMs: number;
  readonly tickMs?: number;
  readonly gateTimeoutMs?: number;
  /** The bearer the requests must carry (what `env:BENCH_STUB_KEY` resolves to in the server). */
  readonly apiKey: string;
}

export interface StubModel {
  readonly baseUrl: string;
  /** Send time of token n (ms since the epoch), for every token sent so far. */
  readonly sentAt: readonly number[];
  /** Lets the stream of `key` start sending. */
  open(key: string): void;
  /** Requests refused (wrong key, not streaming, unknown path). */
  readonly refused: () => number;
  close(): Promise<void>;
}

interface Stream {
  readonly res: http.ServerResponse;
  readonly id: string;
  /** Set once the gate opens. */
  startedAt: number | undefined;
  sent: number;
  readonly total: number;
}

const MODEL = 'bench-stub';

function chunkJson(id: string, created: number, delta: Record<string, string>, finish: string | null, usage?: Record<string, number>): string {
  return JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created,
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(usage !== undefined ? { usage } : {}),
  });
}

export async function startStubModel(options: StubOptions): Promise<StubModel> {
  const tickMs = options.tickMs ?? 5;
  const perMs = options.tokensPerSecond / 1000;
  const total = Math.round(options.durationMs * perMs);
  const sentAt: number[] = [];
  const streams = new Set<Stream>();
  const gates = new Map<string, { opened: boolean; waiting: Stream[] }>();
  let refused = 0;
  let nextId = 0;
  const created = Math.floor(Date.now() / 1000);

  const gate = (key: string): { opened: boolean; waiting: Stream[] } => {
    let g = gates.get(key);
    if (g === undefined) gates.set(key, (g = { opened: false, waiting: [] }));
    return g;
  };
  const start = (s: Stream): void => {
    if (s.startedAt === undefined) s.startedAt = nowMs();
  };

  const finish = (s: Stream): void => {
    streams.delete(s);
    const usage = { prompt_tokens: 8, completion_tokens: s.sent, total_tokens: 8 + s.sent };
    s.res.end(`data: ${chunkJson(s.id, created, {}, 'stop', usage)}\n\ndata: [DONE]\n\n`);
  };

  const ticker = setInterval(() => {
    const now = nowMs();
    for (const s of streams) {
      if (s.startedAt === undefined) continue;
      const due = Math.min(s.total, Math.floor((now - s.startedAt) * perMs) + 1);
      if (due > s.sent) {
        let burst = '';
        const at = nowMs();
        for (; s.sent < due; s.sent++) {
          const n = sentAt.length;
          sentAt.push(at);
          burst += `data: ${chunkJson(s.id, created, { content: `t${n} ` }, null)}\n\n`;
        }
        s.res.write(burst);
      }
      if (s.sent >= s.total) finish(s);
    }
  }, tickMs);

  const server = http.createServer((req, res) => {
    const refuse = (status: number, message: string): void => {
      refused += 1;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message } }));
    };
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) return refuse(401, 'bad key');
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', created, owned_by: 'bench' }] }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return refuse(404, 'not found');
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      let parsed: { stream?: unknown };
      try {
        parsed = JSON.parse(body) as { stream?: unknown };
      } catch {
        return refuse(400, 'not JSON');
      }
      if (parsed.stream !== true) return refuse(400, 'only streaming is stubbed');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const s: Stream = { res, id: `chatcmpl-bench-${nextId++}`, startedAt: undefined, sent: 0, total };
      res.write(`data: ${chunkJson(s.id, created, { role: 'assistant', content: '' }, null)}\n\n`);
      streams.add(s);
      res.on('close', () => streams.delete(s));
      const key = /bench-stream-(\w+)/.exec(body)?.[1];
      const g = key === undefined ? undefined : gate(key);
      if (g === undefined || g.opened) start(s);
      else {
        g.waiting.push(s);
        setTimeout(() => start(s), options.gateTimeoutMs ?? 30_000).unref();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    sentAt,
    refused: () => refused,
    open(key) {
      const g = gate(key);
      g.opened = true;
      for (const s of g.waiting.splice(0)) start(s);
    },
    async close() {
      clearInterval(ticker);
      for (const s of streams) s.res.destroy();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
