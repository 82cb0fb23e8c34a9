/**
 * Buffers text and hands it on in batches (one event per ~100 ms or ~2 KB). The CLI
 * stream parsers use it for the assistant text they read; LLM agents need it not:
 * they stream through `ctx.stream`, which the runner coalesces itself.
 */

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
