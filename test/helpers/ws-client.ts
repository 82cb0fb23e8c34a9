/** A WebSocket client of /api/runtime/ws for tests: a real `ws` socket on loopback, with awaitable frames. */
import { WebSocket } from 'ws';
import { recordSecret } from './log-capture.ts';

export type Frame = Record<string, unknown> & { type: string };

export interface WsClient {
  readonly socket: WebSocket;
  /** Every frame received so far, in order. */
  readonly frames: readonly Frame[];
  send(message: unknown): void;
  /** The first frame not yet returned by next that matches (waits for one); a `closed` pseudo-frame if the socket closes first. */
  next(match?: (f: Frame) => boolean): Promise<Frame>;
  /** Sends a request and resolves with its `result` or `error` frame. */
  request(message: Record<string, unknown>): Promise<Frame>;
  /** Resolves with the close code and reason once the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface ConnectOptions {
  readonly headers?: Record<string, string>;
  readonly origin?: string;
  readonly protocols?: string[];
  /** false: never answer the server's pings (a dead peer). */
  readonly autoPong?: boolean;
}

/** Opens a connection; rejects with the HTTP status when the upgrade is refused. */
export function connectWs(baseUrl: string, options: ConnectOptions = {}): Promise<WsClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/runtime/ws`;
  const socket = new WebSocket(url, options.protocols ?? [], {
    headers: options.headers ?? {},
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
    ...(options.autoPong !== undefined ? { autoPong: options.autoPong } : {}),
  });
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  const claimed = new Set<number>();
  let nextId = 0;
  let ended: Frame | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      ended = { type: 'closed', code, reason: reason.toString() };
      resolve({ code, reason: reason.toString() });
      for (const w of waiters.splice(0)) w.resolve({ type: 'closed', code, reason: reason.toString() });
    });
  });
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    frames.push(frame);
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i];
      if (w !== undefined && w.match(frame)) {
        waiters.splice(i, 1);
        claimed.add(frames.length - 1);
        w.resolve(frame);
        return;
      }
    }
  });
  const client: WsClient = {
    socket,
    frames,
    send(message) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    next(match = () => true) {
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i];
        if (f !== undefined && !claimed.has(i) && match(f)) {
          claimed.add(i);
          return Promise.resolve(f);
        }
      }
      if (ended !== undefined) return Promise.resolve(ended);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    request(message) {
      nextId += 1;
      const id = message['id'] ?? `r${nextId}`;
      const promise = client.next((f) => (f.type === 'result' || f.type === 'error') && f['id'] === id);
      client.send({ ...message, id });
      return promise;
    },
    closed,
    close() {
      socket.close();
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
    });
    socket.once('error', reject);
  });
}

/** Connects and says hello with `token`; resolves once the hello is answered. */
export async function helloWs(baseUrl: string, token: string, options: ConnectOptions = {}): Promise<{ client: WsClient; hello: Frame }> {
  recordSecret(token);
  const client = await connectWs(baseUrl, options);
  const hello = await client.request({ type: 'hello', protocol: 1, token });
  if (hello.type !== 'result') throw new Error(`hello refused: ${JSON.stringify(hello)}`);
  return { client, hello };
}
