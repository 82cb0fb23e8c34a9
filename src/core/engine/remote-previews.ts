/**
 * Previews across nodes. A watcher here announces itself for its task (at once and
 * every `refreshMs` while it watches); this node relays the previews of a task only
 * while another node's announcement for it is fresh (`3 × refreshMs`), batched, so
 * a task nobody elsewhere watches costs no notification, and previews received from
 * other nodes go to this node's watchers like its own.
 */
import type { EventBus } from '../ports/event-bus.ts';
import type { Clock } from '../ports/clock.ts';
import type { PreviewRelay } from '../ports/preview-relay.ts';
import type { TimerHandle, Timers } from '../ports/timers.ts';
import { createPreviewBatcher } from './preview-batcher.ts';

/** Watched tasks remembered at most (beyond: the oldest are forgotten). */
const MAX_WATCHED = 10_000;

export interface RemotePreviews {
  /** The bus to use instead of the local one: previews made here also go to interested nodes. */
  readonly bus: EventBus;
  close(): void;
}

export function createRemotePreviews(
  deps: { readonly bus: EventBus; readonly relay: PreviewRelay; readonly timers: Timers; readonly clock: Clock },
  options: { readonly refreshMs?: number } = {},
): RemotePreviews {
  const { relay, timers, clock } = deps;
  const refreshMs = options.refreshMs ?? 5000;
  const batcher = createPreviewBatcher({ timers, send: (batch) => relay.send(batch) });
  /** Task → until when another node watches it. */
  const watchedElsewhere = new Map<string, number>();
  /** Task → this node's watchers, and the timer repeating the announcement. */
  const watchingHere = new Map<string, { count: number; timer: TimerHandle | undefined }>();

  const unsubscribe = relay.subscribe((previews) => {
    for (const p of previews) deps.bus.preview(p);
  });
  const unwatch = relay.onWatching((taskId) => {
    watchedElsewhere.delete(taskId);
    watchedElsewhere.set(taskId, clock.now() + 3 * refreshMs);
    if (watchedElsewhere.size > MAX_WATCHED) {
      const oldest = watchedElsewhere.keys().next().value;
      if (oldest !== undefined) watchedElsewhere.delete(oldest);
    }
  });

  const announce = (taskId: string): void => {
    const entry = watchingHere.get(taskId);
    if (entry === undefined) return;
    relay.watching(taskId);
    entry.timer = timers.setTimeout(() => announce(taskId), refreshMs);
    entry.timer.unref?.();
  };

  const bus: EventBus = {
    ...deps.bus,
    preview(p) {
      deps.bus.preview(p);
      const until = watchedElsewhere.get(p.taskId);
      if (until === undefined) return;
      if (until < clock.now()) watchedElsewhere.delete(p.taskId);
      else batcher.add(p);
    },
    subscribePreviews(taskId, listener) {
      const stop = deps.bus.subscribePreviews(taskId, listener);
      const entry = watchingHere.get(taskId);
      if (entry !== undefined) entry.count += 1;
      else {
        watchingHere.set(taskId, { count: 1, timer: undefined });
        announce(taskId);
      }
      let stopped = false;
      return () => {
        stop();
        if (stopped) return;
        stopped = true;
        const e = watchingHere.get(taskId);
        if (e === undefined) return;
        e.count -= 1;
        if (e.count > 0) return;
        if (e.timer !== undefined) timers.clearTimeout(e.timer);
        watchingHere.delete(taskId);
      };
    },
  };

  return {
    bus,
    close() {
      unsubscribe();
      unwatch();
      batcher.close();
      for (const e of watchingHere.values()) if (e.timer !== undefined) timers.clearTimeout(e.timer);
      watchingHere.clear();
      watchedElsewhere.clear();
    },
  };
}
