/**
 * A runtime task's events as they happen (history first), until it ends, and the text
 * it streams: `preview` frames bring output as it is produced, and the stored `output`
 * event of the same chunk repeats that chunk whole, so each chunk is kept once, by its
 * (attempt, chunk) number and offset. The browser's EventSource resumes a dropped
 * stream with Last-Event-ID; an event seen twice is shown once.
 */
import { useEffect, useState } from 'react';
import type { EventView } from './wire.ts';

export const TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

interface Preview {
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

export function useTaskEvents(taskId: string | undefined): EventView[] {
  return useTaskStream(taskId).events;
}

export function useTaskStream(taskId: string | undefined): { events: EventView[]; output: string } {
  const [events, setEvents] = useState<EventView[]>([]);
  const [chunks, setChunks] = useState<Chunks>(new Map());
  useEffect(() => {
    setEvents([]);
    setChunks(new Map());
    if (taskId === undefined || taskId === '') return;
    const source = new EventSource(`/api/runtime/tasks/${encodeURIComponent(taskId)}/events`, { withCredentials: true });
    source.onmessage = (m: MessageEvent<string>) => {
      const e = JSON.parse(m.data) as EventView;
      setEvents((old) => (old.some((o) => o.seq === e.seq) ? old : [...old, e]));
      setChunks((old) => withOutput(old, e));
      if (e.event_type === 'state_change' && TERMINAL.has(e.state)) source.close();
    };
    source.addEventListener('preview', (m: MessageEvent<string>) => {
      const p = JSON.parse(m.data) as Preview;
      setChunks((old) => withPreview(old, p));
    });
    return () => source.close();
  }, [taskId]);
  return { events, output: [...chunks.values()].join('') };
}
