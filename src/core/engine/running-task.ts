/** A task this node is running, and why its run may be aborted. */
import type { ApprovalDecision } from '../ports/tool-gate.ts';

/** Why a running task was aborted. */
export type AbortReason = 'cancel' | 'shutdown' | 'lease-lost';

/** A task this node is running; the scheduler keeps these by task id. */
export interface RunningTask {
  readonly taskId: string;
  readonly epoch: number;
  readonly controller: AbortController;
  /** Set while the agent waits for an answer. */
  answerWaiter: ((answer: string) => void) | undefined;
  /** True while waiting: the task holds no concurrency slot. */
  isWaiting: boolean;
  /** What the agent reported it does: `planning` until it works (the task's state when not waiting). */
  phase: 'planning' | 'running';
  /** Set while a tool call waits for an approval. */
  approvalWaiter?: ((approvalId: string, decision: ApprovalDecision) => void) | undefined;
}
