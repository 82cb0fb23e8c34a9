/** Live updates: an EventSource on a stream of ours, calling back (debounced) on every event. */
import { useEffect } from 'react';

export function useLiveStream(url: string | undefined, onChange: () => void, debounceMs = 150): void {
  useEffect(() => {
    if (url === undefined) return;
    // EventSource reconnects by itself and resumes with Last-Event-ID.
    const source = new EventSource(url, { withCredentials: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    source.onmessage = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    };
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, [url, onChange, debounceMs]);
}
