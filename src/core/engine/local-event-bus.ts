/** In-process EventBus: fan-out of stored events and live previews by task id, and signals to the local scheduler. */
import type { EventBus, TaskSignal } from '../ports/event-bus.ts';
import type { OutputPreview, TaskEvent } from '../domain/event.ts';

/** Listeners keyed by task id. */
function fanOut<T extends { readonly taskId: string }>(): {
  publish(item: T): void;
  subscribe(taskId: string, listener: (item: T) => void): () => void;
} {
  const byTask = new Map<string, Set<(item: T) => void>>();
  return {
    publish(item) {
      const listeners = byTask.get(item.taskId);
      if (listeners) for (const l of listeners) safely(() => l(item));
    },
    subscribe(taskId, listener) {
      let set = byTask.get(taskId);
      if (!set) byTask.set(taskId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) byTask.delete(taskId);
      };
    },
  };
}

export function createLocalEventBus(): EventBus {
  const events = fanOut<TaskEvent>();
  const previews = fanOut<OutputPreview>();
  const signalListeners = new Set<(s: TaskSignal) => void>();
  return {
    publish: events.publish,
    subscribe: events.subscribe,
    preview: previews.publish,
    subscribePreviews: previews.subscribe,
    signal(s) {
      for (const l of signalListeners) safely(() => l(s));
    },
    onSignal(listener) {
      signalListeners.add(listener);
      return () => signalListeners.delete(listener);
    },
  };
}

/** One failing listener must not stop delivery to the others, nor the commit that published. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // listeners own their errors
  }
}
