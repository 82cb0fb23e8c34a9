/**
 * Replay-then-follow: subscribe first, replay stored events after `afterSeq`, then
 * yield live ones in sequence order, filling any gap from the store. Ends after the
 * terminal state change, so a reconnecting client misses nothing and sees no duplicate.
 */
import { isTerminal } from '../task-states.ts';
import type { EventBus, TaskStore } from '../ports.ts';
import type { TaskEvent } from '../types.ts';

const PAGE = 500;

const ends = (e: TaskEvent): boolean => e.type === 'state_change' && isTerminal(e.state);

export async function* followTaskEvents(
  deps: { readonly store: TaskStore; readonly bus: EventBus },
  taskId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<TaskEvent> {
  const live: TaskEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = deps.bus.subscribe(taskId, (e) => {
    live.push(e);
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);
  let last = afterSeq;
  try {
    // Replay (and fill gaps) from the store until it has nothing newer.
    const catchUp = async function* (upTo: number): AsyncGenerator<TaskEvent, boolean> {
      for (;;) {
        const page = await deps.store.listEvents(taskId, last, PAGE);
        for (const e of page) {
          if (e.seq > upTo) return false;
          yield e;
          last = e.seq;
          if (ends(e)) return true;
        }
        if (page.length < PAGE) return false;
      }
    };
    if (yield* catchUp(Number.MAX_SAFE_INTEGER)) return;
    const task = await deps.store.findTask(taskId);
    if (task === undefined || (isTerminal(task.state) && task.lastSeq <= last)) return;

    while (!signal?.aborted) {
      if (live.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      for (const e of live.splice(0)) {
        if (e.seq <= last) continue;
        if (e.seq > last + 1 && (yield* catchUp(e.seq - 1))) return;
        if (e.seq <= last) continue;
        yield e;
        last = e.seq;
        if (ends(e)) return;
      }
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
