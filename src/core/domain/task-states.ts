/**
 * The seven task states. Which state may follow which is decided in transitions.ts.
 */

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

/** Parses a state name from the wire; undefined when unknown. */
export function parseTaskState(value: string): TaskState | undefined {
  return (ALL_STATES as readonly string[]).includes(value) ? (value as TaskState) : undefined;
}
