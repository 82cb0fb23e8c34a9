/**
 * A runtime task's events as they happen (history first), until it ends, and the text
 * it streams: `preview` frames bring output as it is produced, and the stored `output`
 * event of the same chunk repeats that chunk whole, so each chunk is kept once, by its
 * (attempt, chunk) number and offset. The browser's EventSource resumes a dropped
 * stream with Last-Event-ID; an event seen twice is shown once.
 */
import { useEffect, useState } from 'react';
import type { EventView } from './wire.ts';
import { withOutput, withPreview, type Chunks, type Preview } from './stream-chunks.ts';

export const TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

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
    source.onmessage = (m: MessageEvent) => {
      const e = JSON.parse(String(m.data)) as EventView;
      setEvents((old) => (old.some((o) => o.seq === e.seq) ? old : [...old, e]));
      setChunks((old) => withOutput(old, e));
      if (e.event_type === 'state_change' && TERMINAL.has(e.state)) source.close();
    };
    source.addEventListener('preview', (m: MessageEvent) => {
      const p = JSON.parse(String(m.data)) as Preview;
      setChunks((old) => withPreview(old, p));
    });
    return () => source.close();
  }, [taskId]);
  return { events, output: [...chunks.values()].join('') };
}
