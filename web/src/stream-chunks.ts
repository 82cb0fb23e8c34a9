/**
 * How streamed text is joined, kept free of the DOM so it is unit-tested under Node:
 * `preview` frames bring output as it is produced and the stored `output` event of the
 * same chunk repeats that chunk whole, so each chunk is kept once, by (attempt, chunk).
 */
import type { EventView } from './wire.ts';

export interface Preview {
  readonly attempt: number;
  readonly chunk: number;
  readonly offset: number;
  readonly text: string;
}

/** Chunks of streamed text by `attempt:chunk`, in the order they came. */
export type Chunks = ReadonlyMap<string, string>;

/** A preview's text goes at its offset in its chunk. */
export function withPreview(chunks: Chunks, p: Preview): Chunks {
  const key = `${p.attempt}:${p.chunk}`;
  const sofar = chunks.get(key) ?? '';
  if (p.offset > sofar.length) return chunks; // a gap: the stored chunk will fill it
  return new Map(chunks).set(key, sofar.slice(0, p.offset) + p.text);
}

/** A stored output event holds its chunk whole. */
export function withOutput(chunks: Chunks, e: Pick<EventView, 'event_type' | 'message' | 'metadata'>): Chunks {
  const m = e.metadata;
  if (e.event_type !== 'output' || m === null || typeof m['chunk'] !== 'number' || typeof m['attempt'] !== 'number') return chunks;
  return new Map(chunks).set(`${m['attempt']}:${m['chunk']}`, e.message ?? '');
}
