/** Server-Sent Events framing. Fields never contain line breaks (JSON data has none). */

/** One event frame with its id (the task event's sequence number). */
export function sseFrame(id: number, data: string): string {
  if (data.includes('\n') || data.includes('\r')) throw new Error('SSE data must be a single line');
  return `id: ${id}\ndata: ${data}\n\n`;
}

/** A live output preview: a named event without an id, so a reconnect's Last-Event-ID stays on stored events. */
export function ssePreviewFrame(data: string): string {
  if (data.includes('\n') || data.includes('\r')) throw new Error('SSE data must be a single line');
  return `event: preview\ndata: ${data}\n\n`;
}

/** The head of an event stream: never cached or transformed, not buffered by a proxy. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** A comment line: keeps proxies and clients from timing the connection out. */
export const SSE_HEARTBEAT = ': keepalive\n\n';

/** Parses a Last-Event-ID header; undefined when absent, NaN when malformed. */
export function parseLastEventId(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '') return undefined;
  return /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
}
