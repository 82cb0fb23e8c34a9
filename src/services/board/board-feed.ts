/**
 * Live board changes, per project: a change written here wakes that project's streams
 * at once, and so does one written by another node when the database tells us
 * (`changes`, PostgreSQL); otherwise they reach them within `pollMs`, read from the
 * stored activity (the store is the truth: a stream never misses or repeats an entry,
 * because it always reads after the last id it sent).
 */
import type { BoardActivity } from '../../core/domain/board.ts';
import type { BoardStore } from '../../core/ports/board-store.ts';
import type { BoardChangeFeed } from '../../core/ports/board-change-feed.ts';

export interface BoardFeed {
  /** Something changed on the project's board (after the write committed). */
  notify(projectId: number): void;
  /** Stored activity after `afterId`, then live activity, until `signal` aborts. */
  follow(projectId: number, afterId: number, signal: AbortSignal): AsyncIterable<BoardActivity>;
}

const PAGE = 200;

export function createBoardFeed(store: Pick<BoardStore, 'listActivity'>, options: { readonly pollMs: number }, changes?: BoardChangeFeed): BoardFeed {
  const waiters = new Map<number, Set<() => void>>();
  changes?.subscribe((projectIds) => {
    for (const id of projectIds) wake(id);
  });

  function wake(projectId: number): void {
    const set = waiters.get(projectId);
    if (set === undefined) return;
    waiters.delete(projectId);
    for (const w of set) w();
  }

  /** Resolves on this project's next change here, after `pollMs`, or when `signal` aborts. */
  function nextChange(projectId: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = waiters.get(projectId);
      if (set === undefined) waiters.set(projectId, (set = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, options.pollMs);
      timer.unref?.();
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  return {
    notify: wake,
    async *follow(projectId, afterId, signal) {
      let last = afterId;
      while (!signal.aborted) {
        // Waiting is armed before reading, so a change committed during the read still wakes us.
        const changed = nextChange(projectId, signal);
        const page = await store.listActivity({ projectId, afterId: last, limit: PAGE });
        for (const a of page) {
          last = a.id;
          yield a;
        }
        if (page.length < PAGE) await changed;
      }
    },
  };
}
