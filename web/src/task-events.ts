/** A runtime task's events as they happen (history first), until it ends: the browser's EventSource resumes a dropped stream with Last-Event-ID. */
import { useEffect, useState } from 'react';
import type { EventView } from './wire.ts';

export const TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export function useTaskEvents(taskId: string | undefined): EventView[] {
  const [events, setEvents] = useState<EventView[]>([]);
  useEffect(() => {
    setEvents([]);
    if (taskId === undefined || taskId === '') return;
    const source = new EventSource(`/api/runtime/tasks/${encodeURIComponent(taskId)}/events`, { withCredentials: true });
    source.onmessage = (m: MessageEvent<string>) => {
      const e = JSON.parse(m.data) as EventView;
      // A reconnect resumes after the last id; still, never show an event twice.
      setEvents((old) => (old.some((o) => o.seq === e.seq) ? old : [...old, e]));
      if (e.event_type === 'state_change' && TERMINAL.has(e.state)) source.close();
    };
    return () => source.close();
  }, [taskId]);
  return events;
}
