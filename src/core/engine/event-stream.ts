/**
 * Replay-then-follow: subscribe first, replay stored events after `afterSeq`, then
 * yield live ones in sequence order, filling any gap from the store. Ends after the
 * terminal state change, so a reconnecting client misses nothing and sees no duplicate.
 * Once live, output previews are yielded between the stored events, in arrival order,
 * as far as the preview gate lets them through. A task running on another node
 * publishes nothing here: `remote` says when that node changed it, and the stream
 * then reads what it stored.
 */
import { isTerminal } from '../domain/transitions.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { TaskStore } from '../ports/task-store.ts';
import { isPreview, type StreamItem, type TaskEvent } from '../domain/event.ts';
import { PreviewGate } from './preview-gate.ts';
import type { RemoteChanges } from './remote-changes.ts';

const PAGE = 500;

const ends = (e: TaskEvent): boolean => e.type === 'state_change' && isTerminal(e.state);

export async function* followTaskEvents(
  deps: { readonly store: TaskStore; readonly bus: EventBus; readonly remote?: RemoteChanges },
  taskId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<StreamItem> {
  const live: StreamItem[] = [];
  let wake: (() => void) | undefined;
  const push = (item: StreamItem): void => {
    live.push(item);
    wake?.();
  };
  const unsubscribe = deps.bus.subscribe(taskId, push);
  // Set when another node changed the task: its events are in the store only.
  let stale = false;
  const unwatchRemote = deps.remote?.watch(taskId, () => {
    stale = true;
    wake?.();
  });
  const gate = new PreviewGate();
  let following = false;
  // Previews that arrive while replaying are dropped: the gate resyncs on stored chunks.
  const unsubscribePreviews = deps.bus.subscribePreviews(taskId, (p) => {
    if (following) push(p);
  });
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);
  let last = afterSeq;
  try {
    // Replay (and fill gaps) from the store until it has nothing newer.
    const catchUp = async function* (upTo: number): AsyncGenerator<StreamItem, boolean> {
      for (;;) {
        const page = await deps.store.listEvents(taskId, last, PAGE);
        for (const e of page) {
          if (e.seq > upTo) return false;
          const released = gate.stored(e);
          yield e;
          last = e.seq;
          if (ends(e)) return true;
          yield* released;
        }
        if (page.length < PAGE) return false;
      }
    };
    if (yield* catchUp(Number.MAX_SAFE_INTEGER)) return;
    const task = await deps.store.findTask(taskId);
    if (task === undefined || (isTerminal(task.state) && task.lastSeq <= last)) return;
    gate.begin(task.attempt);
    following = true;

    while (!signal?.aborted) {
      if (stale) {
        stale = false;
        if (yield* catchUp(Number.MAX_SAFE_INTEGER)) return;
        continue;
      }
      if (live.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      for (const e of live.splice(0)) {
        if (isPreview(e)) {
          yield* gate.preview(e);
          continue;
        }
        if (e.seq <= last) continue;
        if (e.seq > last + 1 && (yield* catchUp(e.seq - 1))) return;
        if (e.seq <= last) continue;
        const released = gate.stored(e);
        yield e;
        last = e.seq;
        if (ends(e)) return;
        yield* released;
      }
    }
  } finally {
    unsubscribe();
    unwatchRemote?.();
    unsubscribePreviews();
    signal?.removeEventListener('abort', onAbort);
  }
}
