/**
 * Recently seen tasks by id, kept current by the commits of this node. Reads of
 * a task's state (the hottest call) then cost no database round trip. Only valid
 * when this node is the only writer (SQLite); with several nodes on one
 * PostgreSQL database it stays off and every read goes to the database.
 */
import type { Task } from '../types.ts';

export class TaskCache {
  private readonly tasks = new Map<string, Task>();

  constructor(private readonly capacity: number) {}

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  /** Keeps the newer version: `lastSeq` grows with every change of a task. */
  put(task: Task): void {
    if (this.capacity <= 0) return;
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
}
