/**
 * Buffers streamed text deltas and hands them on in batches, so a model that
 * streams one token at a time costs one task event per ~100 ms or ~2 KB, not
 * one per token (every event is a database write and a message to every watcher).
 */

import type { AgentRunContext } from '../../core/ports.ts';

/** How often buffered text is flushed (defaults: 100 ms, 2,048 bytes). */
export interface CoalesceOptions {
  readonly intervalMs?: number;
  readonly maxBytes?: number;
}

/** A buffer of text deltas; `flush()` must be called once the stream ends, whatever the outcome. */
export interface OutputCoalescer {
  push(delta: string): void;
  flush(): void;
}

/**
 * Model text through the runner's output stream: watchers see each delta at once (a
 * preview) and the runner stores it coalesced, so the agent needs no timer of its own.
 * `flush` is a no-op: the runner stores buffered text before any other event of the task.
 */
export function streamedOutput(ctx: Pick<AgentRunContext, 'stream'>): OutputCoalescer {
  return { push: (delta) => ctx.stream(delta), flush: () => undefined };
}

/** Creates a coalescer that calls `emit` with the joined deltas. */
export function createOutputCoalescer(emit: (text: string) => void, options: CoalesceOptions = {}): OutputCoalescer {
  const intervalMs = options.intervalMs ?? 100;
  const maxBytes = options.maxBytes ?? 2048;
  let buffer = '';
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const text = buffer;
    buffer = '';
    emit(text);
  };

  return {
    push(delta) {
      if (delta.length === 0) return;
      buffer += delta;
      if (Buffer.byteLength(buffer) >= maxBytes) flush();
      // The timer starts with the first delta of a batch, so a slow stream still shows text within intervalMs.
      else if (timer === undefined) timer = setTimeout(flush, intervalMs);
    },
    flush,
  };
}
