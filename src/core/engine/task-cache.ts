/**
 * Recently seen tasks by id, kept current by this node's commits, so reads of a
 * task's state (the hottest call) cost no database round trip. With one writer
 * (SQLite) that is exact. With several nodes on one database the cache is kept
 * only while a change feed tells it which tasks other nodes changed: it evicts
 * those, and it is off (every read goes to the database) while the feed is down.
 *
 * A read or commit that began before an eviction may finish after it holding the
 * older version; `put(task, since)` with the generation taken before the read
 * refuses such a version — and drops the one it holds for that task, which may be
 * older still (another node's change evicted first, then this node's own commit of
 * the same task was refused: keeping the entry would serve its state from before both).
 */
import type { Task } from '../domain/task.ts';

export class TaskCache {
  private readonly tasks = new Map<string, Task>();
  private generation = 0;
  private enabled: boolean;

  constructor(
    private readonly capacity: number,
    options: { readonly startEnabled?: boolean } = {},
  ) {
    this.enabled = capacity > 0 && (options.startEnabled ?? true);
  }

  /** Changes with every eviction: take it before a read, give it to `put`. */
  get epoch(): number {
    return this.generation;
  }

  get(id: string): Task | undefined {
    return this.enabled ? this.tasks.get(id) : undefined;
  }

  /** Keeps the newer version (`lastSeq` grows with every change), unless an eviction came since `since`. */
  put(task: Task, since?: number): void {
    if (!this.enabled) return;
    if (since !== undefined && since !== this.generation) {
      this.tasks.delete(task.id);
      return;
    }
    const cached = this.tasks.get(task.id);
    if (cached !== undefined) {
      if (cached.lastSeq > task.lastSeq) return;
      this.tasks.delete(task.id); // re-insert: most recently written stays longest
    } else if (this.tasks.size >= this.capacity) {
      const oldest = this.tasks.keys().next().value;
      if (oldest !== undefined) this.tasks.delete(oldest);
    }
    this.tasks.set(task.id, task);
  }

  /** Drops tasks another node changed. */
  evict(ids: readonly string[]): void {
    this.generation += 1;
    for (const id of ids) this.tasks.delete(id);
  }

  /** Drops everything and turns the cache on or off (the change feed came up or went down). */
  reset(enabled: boolean): void {
    this.generation += 1;
    this.tasks.clear();
    this.enabled = enabled && this.capacity > 0;
  }
}
