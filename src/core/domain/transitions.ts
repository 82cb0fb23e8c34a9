/** The task state machine: which state may follow which. */
import { SwitchboardError } from './errors.ts';
import { ALL_STATES } from './task-states.ts';
import type { TaskState } from './task-states.ts';

/**
 * Allowed transitions. `running → pending` and `waiting → pending` are retries (a
 * lost lease or a retryable failure); `planning → pending` hands a task back on
 * shutdown. Terminal states have no way out.
 */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ['planning', 'running', 'failed', 'cancelled'],
  planning: ['running', 'pending', 'failed', 'cancelled'],
  running: ['waiting', 'pending', 'completed', 'failed', 'cancelled'],
  waiting: ['running', 'pending', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** True for states that never change again. */
export function isTerminal(state: TaskState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** True when `to` may follow `from`. */
export function canTransition(from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws TASK_INVALID_TRANSITION unless `to` may follow `from`. */
export function assertTransition(from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) {
    throw new SwitchboardError('TASK_INVALID_TRANSITION', `A task cannot go from ${from} to ${to}`, {
      from,
      to,
    });
  }
}

const sources = new Map<TaskState, readonly TaskState[]>(
  ALL_STATES.map((to) => [to, ALL_STATES.filter((from) => canTransition(from, to))]),
);

/** Every state from which `to` may be entered (used by the store's conditional update). */
export function sourcesOf(to: TaskState): readonly TaskState[] {
  return sources.get(to) ?? [];
}

/** Non-terminal states. */
export const ACTIVE_STATES: readonly TaskState[] = ALL_STATES.filter((s) => !isTerminal(s));
