/**
 * Batches this node's previews for the other nodes: at most one batch per
 * `intervalMs`, contiguous pieces of the same chunk joined into one preview, and at
 * most `maxChars` of text per batch (the rest is dropped: a watcher elsewhere shows
 * the stored chunk instead), so a fast-streaming agent costs a bounded number of
 * notifications whatever its rate.
 */
import type { OutputPreview } from '../domain/event.ts';
import type { TimerHandle, Timers } from '../ports/timers.ts';

export interface PreviewBatcherOptions {
  /** Least time between two batches (default 25 ms). */
  readonly intervalMs?: number;
  /** Text per batch at most (default 16,384 characters). */
  readonly maxChars?: number;
}

export interface PreviewBatcher {
  add(preview: OutputPreview): void;
  /** Sends what is pending now. */
  flush(): void;
  close(): void;
}

const joins = (a: OutputPreview, b: OutputPreview): boolean =>
  !a.final && !b.final && a.taskId === b.taskId && a.attempt === b.attempt && a.chunk === b.chunk && b.offset === a.offset + a.text.length;

/** Joins contiguous previews of one chunk; keeps the order otherwise. */
export function coalescePreviews(previews: readonly OutputPreview[]): OutputPreview[] {
  const out: OutputPreview[] = [];
  // The last preview per task: pieces of different tasks interleave.
  const lastOf = new Map<string, number>();
  for (const p of previews) {
    const i = lastOf.get(p.taskId);
    const prev = i === undefined ? undefined : out[i];
    if (prev !== undefined && i !== undefined && joins(prev, p)) {
      out[i] = { ...prev, text: prev.text + p.text };
      continue;
    }
    lastOf.set(p.taskId, out.length);
    out.push(p);
  }
  return out;
}

export function createPreviewBatcher(
  deps: { readonly timers: Timers; readonly send: (previews: readonly OutputPreview[]) => void },
  options: PreviewBatcherOptions = {},
): PreviewBatcher {
  const intervalMs = options.intervalMs ?? 25;
  const maxChars = options.maxChars ?? 16_384;
  let pending: OutputPreview[] = [];
  let chars = 0;
  let timer: TimerHandle | undefined;
  let closed = false;

  const flush = (): void => {
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const batch = coalescePreviews(pending);
    pending = [];
    chars = 0;
    deps.send(batch);
  };

  return {
    add(preview) {
      if (closed) return;
      // Over budget: dropped (finals are tiny and keep the watchers' positions right).
      if (!preview.final && chars + preview.text.length > maxChars) return;
      chars += preview.text.length;
      pending.push(preview);
      if (timer === undefined) {
        timer = deps.timers.setTimeout(flush, intervalMs);
        timer.unref?.();
      }
    },
    flush,
    close() {
      closed = true;
      if (timer !== undefined) deps.timers.clearTimeout(timer);
      timer = undefined;
      pending = [];
    },
  };
}
