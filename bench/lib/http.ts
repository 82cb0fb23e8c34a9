/** A small node:http client: JSON requests over a keep-alive agent, and an SSE reader. */
import http from 'node:http';
import { nowMs } from './stats.ts';

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

export interface JsonResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

export function requestJson<T = unknown>(
  agent: http.Agent,
  method: string,
  url: string,
  options: { readonly token?: string; readonly body?: unknown } = {},
): Promise<JsonResponse<T>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string | number> = { accept: 'application/json' };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: (text.length > 0 ? JSON.parse(text) : undefined) as T, text });
        } catch (err) {
          reject(new Error(`${method} ${url}: ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)} (${String(err)})`));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Throws unless the status is the expected one. */
export function expectStatus<T>(res: JsonResponse<T>, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.body;
}

export interface SseHandlers {
  /** Response headers arrived (the subscription is live on the server). */
  onOpen?(at: number): void;
  /** One `data:` payload, with the wall-clock time its chunk was received and the frame's `event:` name (if any). */
  onEvent(data: string, receivedAt: number, event: string | undefined): void;
}

/**
 * Opens an SSE stream and resolves when the server ends it (rejects on a non-200
 * or a socket error). Frames are split on blank lines; only `event:` and `data:` lines matter here.
 */
export function followSse(agent: http.Agent, url: string, token: string | undefined, handlers: SseHandlers): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', agent, headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      handlers.onOpen?.(nowMs());
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = nowMs();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event: string | undefined;
          for (const line of frame.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(line.charAt(6) === ' ' ? 7 : 6);
            else if (line.startsWith('data:')) handlers.onEvent(line.slice(line.charAt(5) === ' ' ? 6 : 5), at, event);
          }
        }
      });
      res.on('error', reject);
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}
