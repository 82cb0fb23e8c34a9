/**
 * A task's events as an async iterable over SSE that survives dropped connections:
 * it reconnects with Last-Event-ID = the last sequence number seen, skips anything
 * at or below it (so nothing shows twice), and ends after the terminal event.
 */
import { createParser } from 'eventsource-parser';
import { ApiError, ConnectionError, WireMismatchError } from './cli-errors.ts';
import { connectionReason, type ApiClient } from './client.ts';
import { decodeWire } from './decode.ts';
import { isTerminalState } from './task-state.ts';
import { eventView, type EventView } from '../wire/event.ts';

/** How to follow; every field but `signal` has a default suited to a terminal. */
export interface TaskEventsOptions {
  /** Stops following (Ctrl-C); the iterator then just ends. */
  readonly signal: AbortSignal;
  /** Replay events after this sequence number (default: 0, the whole history). */
  readonly afterSeq?: number;
  /** Called before each reconnect, with the attempt number (1, 2, …) and why. */
  readonly onReconnect?: (attempt: number, reason: string) => void;
  /** First reconnect delay; doubles up to 10 s; the server's `retry:` replaces it (default: 1 s). */
  readonly retryMs?: number;
  /** Consecutive failed connections before giving up (default: 10, about 1.5 min). */
  readonly maxAttempts?: number;
  /** Silence after which the connection counts as dead; the server sends keepalives (default: 60 s). */
  readonly idleTimeoutMs?: number;
}

const MAX_RETRY_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A stored event's frame parsed with the wire schema; other frames (previews, non-JSON) are skipped. */
function parseEvent(taskId: string, event: string | undefined, data: string): EventView | undefined {
  if (event !== undefined && event !== 'message') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined; // a frame we do not understand is skipped, not fatal
  }
  return decodeWire(eventView, `GET /api/runtime/tasks/${taskId}/events`, json);
}

/** Yields the events of `taskId` in order, exactly once each, until the task ends. */
export async function* taskEvents(client: ApiClient, taskId: string, options: TaskEventsOptions): AsyncGenerator<EventView, void> {
  const { signal } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  let retryMs = options.retryMs ?? 1000;
  let lastSeq = options.afterSeq ?? 0;
  let failures = 0;
  while (!signal.aborted) {
    const conn = new AbortController();
    const stop = (): void => conn.abort();
    signal.addEventListener('abort', stop, { once: true });
    let idle: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => conn.abort(), idleTimeoutMs);
    };
    let reason = 'the stream ended before the task did';
    let lastError: unknown;
    const queue: EventView[] = [];
    const parser = createParser({
      onEvent(msg) {
        const e = parseEvent(taskId, msg.event, msg.data);
        if (e !== undefined) queue.push(e);
      },
      onRetry(ms) {
        retryMs = ms;
      },
    });
    try {
      armIdle();
      const body = await client.openEvents(taskId, lastSeq, conn.signal);
      const reader = body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        armIdle();
        parser.feed(value);
        for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
          if (e.seq <= lastSeq) continue;
          lastSeq = e.seq;
          failures = 0;
          yield e;
          if (isTerminalState(e.state)) return;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      // A refusal (bad token, no such task) will not change by retrying.
      if (err instanceof ApiError && err.status < 500) throw err;
      // Neither will an answer of the wrong shape.
      if (err instanceof WireMismatchError) throw err;
      lastError = err;
      reason = conn.signal.aborted ? 'no data for too long' : err instanceof ConnectionError ? err.reason : connectionReason(err);
    } finally {
      clearTimeout(idle);
      signal.removeEventListener('abort', stop);
      conn.abort(); // releases the socket whichever way we leave
    }
    failures += 1;
    if (failures > maxAttempts) {
      throw lastError instanceof ApiError || lastError instanceof ConnectionError ? lastError : new ConnectionError(client.url, reason);
    }
    options.onReconnect?.(failures, reason);
    await sleep(Math.min(retryMs * 2 ** (failures - 1), MAX_RETRY_MS), signal);
  }
}
