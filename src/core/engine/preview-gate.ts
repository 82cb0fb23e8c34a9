/**
 * Decides which live previews a watcher is shown, and when. A watcher shows previews
 * and then, for each stored output chunk, only the part past what it previewed — right
 * only if the previews it showed of a chunk are exactly that chunk's start, and only if
 * they come after everything stored before that chunk. So the gate passes a preview at
 * the position it expects next (attempt, chunk, offset); a preview of a later chunk waits
 * (held) until the stored events before it have been given; a preview of a chunk whose
 * start the watcher missed is dropped, and that chunk's stored event resyncs the gate.
 */
import type { OutputPreview, TaskEvent } from '../domain/event.ts';

interface Position {
  attempt: number;
  chunk: number;
  offset: number;
}

/** Previews held at most, waiting for a stored chunk (beyond that they are dropped). */
const MAX_HELD = 10_000;

/** The stored chunk an output event holds, if it came from streamed text. */
function chunkOf(e: TaskEvent): { attempt: number; chunk: number } | undefined {
  if (e.type !== 'output' || e.data === null) return undefined;
  const { attempt, chunk } = e.data;
  return typeof attempt === 'number' && typeof chunk === 'number' ? { attempt, chunk } : undefined;
}

/** Order of (attempt, chunk) pairs. */
function compare(a: { attempt: number; chunk: number }, b: { attempt: number; chunk: number }): number {
  return a.attempt !== b.attempt ? a.attempt - b.attempt : a.chunk - b.chunk;
}

export class PreviewGate {
  private pos: Position | undefined;
  private held: OutputPreview[] = [];

  /** Once the watcher is live: previews of `attempt` may start from its first chunk. */
  begin(attempt: number): void {
    if (this.pos === undefined || this.pos.attempt < attempt) this.pos = { attempt, chunk: 0, offset: 0 };
  }

  /** For a stored event about to be given to the watcher: the held previews to give right after it. */
  stored(e: TaskEvent): OutputPreview[] {
    const c = chunkOf(e);
    if (c === undefined) return [];
    if (this.pos === undefined || compare(c, this.pos) >= 0) this.pos = { attempt: c.attempt, chunk: c.chunk + 1, offset: 0 };
    const held = this.held;
    this.held = [];
    const out: OutputPreview[] = [];
    for (const p of held) out.push(...this.preview(p));
    return out;
  }

  /** For a live preview: what to give the watcher now (the preview, or nothing). */
  preview(p: OutputPreview): OutputPreview[] {
    const pos = this.pos;
    if (pos === undefined) return [];
    // A new attempt starts over; everything of the previous one was stored before it began.
    if (p.attempt > pos.attempt && p.chunk === 0 && p.offset === 0 && this.held.length === 0) {
      this.pos = { attempt: p.attempt, chunk: 0, offset: 0 };
      return this.preview(p);
    }
    if (this.held.length === 0 && p.attempt === pos.attempt && p.chunk === pos.chunk && p.offset === pos.offset) {
      if (p.final) {
        pos.chunk += 1;
        pos.offset = 0;
        return [];
      }
      pos.offset += p.text.length;
      return [p];
    }
    if (compare(p, pos) > 0 || (this.held.length > 0 && compare(p, pos) === 0 && p.offset === pos.offset)) {
      if (this.held.length < MAX_HELD) this.held.push(p);
      else this.held = [];
    }
    return [];
  }
}
