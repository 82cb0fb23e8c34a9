/**
 * The task state machine: which state may follow which, and the one function that
 * builds a state change. Every change of a task's state is a {@link Transition} made
 * by {@link transition}; the commit queue refuses any other, and the store applies one
 * only while the task is still in one of its `from` states.
 */
import { SwitchboardError } from './errors.ts';
import { ALL_STATES } from './task-states.ts';
import type { TaskState } from './task-states.ts';

/**
 * Allowed transitions. `running → pending` and `waiting → pending` are retries (a
 * lost lease or a retryable failure) or a hand-back on shutdown; `running ⇄ planning`
 * is an agent reporting that it plans before it works (a claim always starts a task
 * `running`: planning is the agent's to report). Terminal states have no way out.
 */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ['running', 'cancelled'],
  planning: ['running', 'pending', 'failed', 'cancelled'],
  running: ['planning', 'waiting', 'pending', 'completed', 'failed', 'cancelled'],
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

/** Every state from which `to` may be entered. */
export function sourcesOf(to: TaskState): readonly TaskState[] {
  return sources.get(to) ?? [];
}

/** Non-terminal states. */
export const ACTIVE_STATES: readonly TaskState[] = ALL_STATES.filter((s) => !isTerminal(s));

/** States in which a node holds the task's lease (a claimed task until it ends or is handed back). */
export const LEASED_STATES: readonly TaskState[] = ['planning', 'running', 'waiting'];

/** Why a task changes state. Each cause makes only some moves (its row in CAUSES below). */
export type TransitionCause =
  | 'claim' // a node takes a pending task
  | 'plan' // the agent reports that it plans
  | 'start' // the agent works (after planning)
  | 'wait' // the agent asks a question or a tool call needs an approval
  | 'answer' // a caller answers the question
  | 'approve' // a caller approves or denies the tool call
  | 'complete' // the agent returned a result
  | 'fail' // the agent failed for good
  | 'retry' // the agent failed and may try again later
  | 'hand-back' // the node shuts down; the attempt does not count
  | 'recover' // the lease ran out: another node retries or fails the orphan
  | 'cancel'; // a caller stops the task

/** Each cause: the states it may leave and the states it may enter (pairs outside the table never count). */
const CAUSES: Readonly<Record<TransitionCause, { readonly from: readonly TaskState[]; readonly to: readonly TaskState[] }>> = {
  claim: { from: ['pending'], to: ['running'] },
  plan: { from: ['running'], to: ['planning'] },
  start: { from: ['planning'], to: ['running'] },
  wait: { from: ['running'], to: ['waiting'] },
  answer: { from: ['waiting'], to: ['running'] },
  approve: { from: ['waiting'], to: ['running'] },
  complete: { from: ['running'], to: ['completed'] },
  fail: { from: LEASED_STATES, to: ['failed'] },
  retry: { from: ['planning', 'running'], to: ['pending'] },
  'hand-back': { from: LEASED_STATES, to: ['pending'] },
  recover: { from: LEASED_STATES, to: ['pending', 'failed'] },
  cancel: { from: ACTIVE_STATES, to: ['cancelled'] },
};

declare const built: unique symbol;

/**
 * A state change: applied only while the task is in one of `from` (the store checks
 * it in the same statement), and then the task is in `to`. Only {@link transition}
 * builds one.
 */
export interface Transition {
  readonly from: readonly TaskState[];
  readonly to: TaskState;
  readonly cause: TransitionCause;
  readonly [built]: true;
}

/** The states a change for `cause` into `to` may leave: the cause's row, narrowed by the table. */
export function sourcesFor(cause: TransitionCause, to: TaskState): readonly TaskState[] {
  const row = CAUSES[cause];
  return row.to.includes(to) ? row.from.filter((from) => canTransition(from, to)) : [];
}

/**
 * Builds the change of `task` into `to` for `cause`. Throws TASK_INVALID_TRANSITION
 * when the task, as the caller last read it, cannot make that move. The read may be
 * stale: the store applies the change only while the task is still in a `from` state.
 */
export function transition(task: { readonly state: TaskState }, to: TaskState, cause: TransitionCause): Transition {
  const from = sourcesFor(cause, to);
  if (!from.includes(task.state)) {
    throw new SwitchboardError('TASK_INVALID_TRANSITION', `A task cannot go from ${task.state} to ${to} (${cause})`, {
      from: task.state,
      to,
    });
  }
  return { from, to, cause } as Transition;
}

/** True when every state `t` may leave may go to `t.to` for its cause (the commit queue's check). */
export function isLegal(t: Transition): boolean {
  if (t.from.length === 0 || !Object.hasOwn(CAUSES, t.cause)) return false;
  const allowed = sourcesFor(t.cause, t.to);
  return t.from.every((s) => allowed.includes(s));
}
