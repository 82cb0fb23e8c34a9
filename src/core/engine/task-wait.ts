/**
 * A running task waiting for someone (an answer, or a decision on an approval). The
 * move to `waiting` is fenced by the lease: not applied means the lease is lost and
 * the run aborts. While it waits the task holds no concurrency slot; it takes one
 * again however the wait ends.
 */
import { TaskStates } from '../domain/task-states.ts';
import { transition } from '../domain/transitions.ts';
import type { EventInput, TaskPatch } from '../ports/task-store.ts';
import type { CommitQueue } from './commit-queue.ts';
import type { AbortReason, RunningTask } from './running-task.ts';

export interface TaskWaitDeps {
  readonly queue: CommitQueue;
  readonly onSlotChange: (running: RunningTask, holdsSlot: boolean) => void;
}

/** What the move to `waiting` writes. */
export interface WaitingChange {
  readonly set: TaskPatch;
  readonly event: EventInput;
}

/**
 * Moves the task to `waiting` with `change` and resolves with the value its waiters
 * receive; rejects when the run is aborted. `install` sets the waiters on `running`
 * (before the change, so a reply right after it is not missed) and returns what
 * clears them once the wait ends.
 */
export async function waitOutsideSlot<T>(
  deps: TaskWaitDeps,
  taskId: string,
  running: RunningTask,
  change: WaitingChange,
  install: (resolve: (value: T) => void) => () => void,
): Promise<T> {
  const { signal } = running.controller;
  let clear = (): void => undefined;
  const received = new Promise<T>((resolve, reject) => {
    clear = install(resolve);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  received.catch(() => undefined); // an abort before we await it is handled below, not "unhandled"
  const outcome = await deps.queue.change({
    taskId,
    epoch: running.epoch,
    transition: transition({ state: TaskStates.RUNNING }, TaskStates.WAITING, 'wait'),
    set: change.set,
    event: change.event,
  });
  if (!outcome.applied) {
    running.controller.abort('lease-lost' satisfies AbortReason);
    signal.throwIfAborted();
  }
  running.isWaiting = true;
  deps.onSlotChange(running, false);
  try {
    return await received;
  } finally {
    clear();
    running.isWaiting = false;
    deps.onSlotChange(running, true);
  }
}
