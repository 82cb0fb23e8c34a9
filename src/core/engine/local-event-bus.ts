/** In-process EventBus: fan-out by task id, and signals to the local scheduler. */
import type { EventBus, TaskSignal } from '../ports.ts';
import type { TaskEvent } from '../types.ts';

export function createLocalEventBus(): EventBus {
  const byTask = new Map<string, Set<(e: TaskEvent) => void>>();
  const signalListeners = new Set<(s: TaskSignal) => void>();
  return {
    publish(event) {
      const listeners = byTask.get(event.taskId);
      if (listeners) for (const l of listeners) safely(() => l(event));
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
