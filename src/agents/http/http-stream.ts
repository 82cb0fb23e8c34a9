/**
 * Streaming answers of the HTTP agent: when the remote answers `text/event-stream`
 * (one JSON object per event's data) or `application/x-ndjson` (one per line), each
 * object is a step of the run:
 *
 *   {"type": "output", "text": "…"}                    streamed output text
 *   {"type": "progress", "progress": 40, "message": "…"}
 *   {"type": "log", "message": "…"}
 *   {"type": "result", "result": …, "metadata": {…}}   the outcome (ends the run)
 *   {"type": "error", "error": "…"}                    a failure (ends the run)
 *
 * A stream that ends without a result or an error is a failure (retryable: the
 * connection was probably cut).
 */
import { createParser } from 'eventsource-parser';
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import type { Json, JsonObject } from '../../core/domain/json.ts';

export type StreamFormat = 'sse' | 'ndjson';

/** The streaming format of a response, from its content type; undefined for a plain JSON answer. */
export function streamFormatOf(contentType: string | null): StreamFormat | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/event-stream') return 'sse';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
  return undefined;
}

const asObject = (v: unknown): JsonObject | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;

/** Applies one step; returns the outcome when the step ends the run. */
function step(provider: string, ctx: AgentRunContext, raw: string): AgentOutcome | undefined {
  if (raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AgentError(`${provider} streamed something that is not JSON: ${raw.slice(0, 200)}`);
  }
  const msg = asObject(parsed);
  if (msg === undefined) throw new AgentError(`${provider} streamed JSON that is not an object`);
  const text = (key: string): string | undefined => (typeof msg[key] === 'string' ? (msg[key] as string) : undefined);
  switch (msg['type']) {
    case 'output':
      ctx.stream(text('text') ?? '');
      return undefined;
    case 'progress': {
      const progress = typeof msg['progress'] === 'number' ? msg['progress'] : undefined;
      const message = text('message');
      ctx.emit({ type: 'progress', ...(progress !== undefined ? { progress } : {}), ...(message !== undefined ? { message } : {}) });
      return undefined;
    }
    case 'log':
      ctx.emit({ type: 'log', message: text('message') ?? '' });
      return undefined;
    case 'result': {
      if (!('result' in msg)) throw new AgentError(`${provider} streamed a result step without a "result" field`);
      return { result: msg['result'] as Json, metadata: asObject(msg['metadata']) ?? {} };
    }
    case 'error':
      throw new AgentError(`${provider} reported a failure: ${text('error') ?? JSON.stringify(msg['error'] ?? null)}`);
    default:
      // Unknown steps are skipped, so a remote may add kinds of its own.
      return undefined;
  }
}

/** Reads a streamed answer to its outcome, stopping at `maxBytes`. */
export async function readStream(
  provider: string,
  ctx: AgentRunContext,
  body: ReadableStream<Uint8Array>,
  format: StreamFormat,
  maxBytes: number,
): Promise<AgentOutcome> {
  let outcome: AgentOutcome | undefined;
  let failure: unknown;
  const apply = (raw: string): void => {
    if (outcome !== undefined || failure !== undefined) return;
    try {
      outcome = step(provider, ctx, raw);
    } catch (err) {
      failure = err;
    }
  };
  const sse = format === 'sse' ? createParser({ onEvent: (e) => apply(e.data) }) : undefined;
  let pending = '';
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      if (bytes > maxBytes) throw new AgentError(`${provider} streamed more than ${maxBytes} bytes`);
      if (sse !== undefined) sse.feed(value);
      else {
        pending += value;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) apply(line);
      }
      if (failure !== undefined) throw failure;
      if (outcome !== undefined) return outcome;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
  if (sse === undefined) apply(pending);
  if (failure !== undefined) throw failure;
  if (outcome !== undefined) return outcome;
  throw new AgentError(`${provider} stream ended without a result`, { retryable: true });
}
