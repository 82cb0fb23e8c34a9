/**
 * The streamed output of one attempt. Each piece of text goes to watchers at once as a
 * preview, and into a buffer stored as one `output` event per chunk (after `intervalMs`
 * or `maxBytes`), so a model streaming 2,000 tokens a second costs about ten writes a
 * second while watchers still see every token as it comes.
 */
import type { Timers, TimerHandle } from '../ports/timers.ts';
import type { OutputPreview } from '../domain/event.ts';
import type { JsonObject } from '../domain/json.ts';

export interface OutputStreamDeps {
  readonly timers: Timers;
  /** Sends a preview to this node's watchers. */
  readonly preview: (preview: OutputPreview) => void;
  /** Stores one chunk as an `output` event (in order with the attempt's other events). */
  readonly store: (message: string, data: JsonObject) => void;
}

export interface OutputStreamOptions {
  /** A chunk is stored at most this long after its first text (default 100 ms). */
  readonly intervalMs?: number;
  /** …or once it holds this many characters (default 4,096). */
  readonly maxChars?: number;
}

export interface OutputStream {
  write(text: string): void;
  /** Stores what is buffered now (before any other event of the attempt, and at its end). */
  flush(): void;
}

export function createOutputStream(
  deps: OutputStreamDeps,
  where: { readonly taskId: string; readonly attempt: number },
  options: OutputStreamOptions = {},
): OutputStream {
  const intervalMs = options.intervalMs ?? 100;
  const maxChars = options.maxChars ?? 4096;
  let chunk = 0;
  let buffer = '';
  let timer: TimerHandle | undefined;

  const flush = (): void => {
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const message = buffer;
    deps.preview({ kind: 'preview', taskId: where.taskId, attempt: where.attempt, chunk, offset: message.length, text: '', final: true });
    deps.store(message, { attempt: where.attempt, chunk });
    buffer = '';
    chunk += 1;
  };

  return {
    write(text) {
      if (text.length === 0) return;
      deps.preview({ kind: 'preview', taskId: where.taskId, attempt: where.attempt, chunk, offset: buffer.length, text, final: false });
      buffer += text;
      if (buffer.length >= maxChars) flush();
      else timer ??= deps.timers.setTimeout(flush, intervalMs);
    },
    flush,
  };
}
