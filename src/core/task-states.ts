/**
 * The task state machine, as data. Only {@link assertTransition} decides whether a
 * state may follow another; the store enforces the same table atomically by
 * updating only rows whose current state is in {@link sourcesOf}(target).
 */
import { SwitchboardError } from './errors.ts';

export const TaskStates = {
  /** Accepted and durable; waiting for a node to claim it (possibly after `runAfter`). */
  PENDING: 'pending',
  /** Claimed; the agent is preparing (agents that plan report it; others skip it). */
  PLANNING: 'planning',
  /** The agent is working under a lease held by one node. */
  RUNNING: 'running',
  /** The agent asked something (a question, an approval); no slot is held until a caller answers. */
  WAITING: 'waiting',
  /** Finished with a result. Terminal. */
  COMPLETED: 'completed',
  /** Finished with an error, or lost and out of retries. Terminal. */
  FAILED: 'failed',
  /** Stopped on request; the agent's work was aborted. Terminal. */
  CANCELLED: 'cancelled',
} as const;

export type TaskState = (typeof TaskStates)[keyof typeof TaskStates];

export const ALL_STATES: readonly TaskState[] = Object.values(TaskStates);

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

/** Parses a state name from the wire; undefined when unknown. */
export function parseTaskState(value: string): TaskState | undefined {
  return (ALL_STATES as readonly string[]).includes(value) ? (value as TaskState) : undefined;
}
