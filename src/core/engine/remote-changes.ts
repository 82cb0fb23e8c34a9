/**
 * Other nodes' changes to tasks, by task id, for the parts of the engine that wait
 * on a task: event streams (a task running on another node stores its events
 * there, and this node's event bus never hears of them) and the scheduler (a
 * question answered, an approval given or a task cancelled through another node).
 * One subscription to the change feed serves them all. When the feed comes (back)
 * up, changes made meanwhile are unknown, so every watcher is told.
 */
import type { TaskChangeFeed } from '../ports/task-change-feed.ts';

/** `all`: anything may have changed (the feed came back up). */
export type RemoteChange = readonly string[] | 'all';

export class RemoteChanges {
  private readonly byTask = new Map<string, Set<() => void>>();
  private readonly listeners = new Set<(change: RemoteChange) => void>();
  private up = false;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(feed: TaskChangeFeed | undefined) {
    this.unsubscribe = feed?.subscribe((notice) => {
      if (notice.kind === 'down') {
        this.up = false;
        return;
      }
      if (notice.kind === 'up') this.up = true;
      const change: RemoteChange = notice.kind === 'up' ? 'all' : notice.taskIds;
      for (const l of this.listeners) l(change);
      if (change === 'all') {
        for (const set of [...this.byTask.values()]) for (const cb of [...set]) cb();
        return;
      }
      for (const id of change) {
        const set = this.byTask.get(id);
        if (set !== undefined) for (const cb of [...set]) cb();
      }
    });
  }

  /** True while other nodes' changes reach this one (false without a feed, or while it is down). */
  get listening(): boolean {
    return this.up;
  }

  /** Calls `onChange` whenever another node changes the task; returns the unwatch. */
  watch(taskId: string, onChange: () => void): () => void {
    let set = this.byTask.get(taskId);
    if (set === undefined) this.byTask.set(taskId, (set = new Set()));
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0) this.byTask.delete(taskId);
    };
  }

  /** Calls `listener` with every batch of other nodes' changes. */
  onChange(listener: (change: RemoteChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe?.();
    this.byTask.clear();
    this.listeners.clear();
  }
}
