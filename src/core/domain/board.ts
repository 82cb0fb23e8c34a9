/**
 * The board: tasks of a project in status columns (REFERENCE.md, Phase 1), the runs of
 * agents on them (executions, each one runtime task), and their activity. Pure.
 */
import type { JsonObject } from './json.ts';
import type { TaskState } from './task-states.ts';
import type { Task } from './task.ts';

export const BoardStatuses = ['todo', 'in_progress', 'in_review', 'done', 'blocked'] as const;
export type BoardStatus = (typeof BoardStatuses)[number];

export const Priorities = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof Priorities)[number];

export interface BoardTask {
  readonly id: number;
  readonly projectId: number;
  /** 1, 2, 3 … per project, without gaps. */
  readonly number: number;
  /** `<PROJECT_KEY>-<number>`, e.g. `DEMO-7`. */
  readonly key: string;
  readonly title: string;
  readonly description: string | null;
  readonly status: BoardStatus;
  readonly priority: Priority;
  /** Order within the status column (ascending); a move writes this one row. */
  readonly position: number;
  readonly assignedAgentType: string | null;
  /** The runtime state of the latest execution (null: never executed). */
  readonly agentExecutionStatus: TaskState | null;
  readonly githubPrUrl: string | null;
  readonly githubPrNumber: number | null;
  readonly githubBranchName: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When a person last set the status (the engine never undoes such a move). */
  readonly statusSetAt: number | null;
}

/** What a caller may edit on a board task. */
export interface BoardTaskPatch {
  readonly title?: string;
  readonly description?: string | null;
  readonly status?: BoardStatus;
  readonly priority?: Priority;
  readonly position?: number;
  readonly assignedAgentType?: string | null;
}

/** One run of an agent on a board task: the runtime task `executionUuid` carries its state and result. */
export interface Execution {
  readonly id: number;
  readonly boardTaskId: number;
  readonly executionUuid: string;
  readonly agentType: string;
  readonly prompt: string;
  readonly userId: string;
  readonly sessionId: string | null;
  readonly startedAt: number;
}

/** An execution with its runtime task (undefined when the runtime task is gone). */
export interface ExecutionView {
  readonly execution: Execution;
  readonly task: Task | undefined;
}

export const ActivityKinds = ['created', 'moved', 'edited', 'deleted', 'executed', 'execution_state', 'pr_opened'] as const;
export type ActivityKind = (typeof ActivityKinds)[number];

/** One change on a board: the task's history and the project's change stream (ids grow). */
export interface BoardActivity {
  readonly id: number;
  readonly projectId: number;
  readonly boardTaskId: number | null;
  readonly taskKey: string | null;
  readonly kind: ActivityKind;
  /** The user who acted; null for the engine (an execution's state changed). */
  readonly actorId: string | null;
  readonly details: JsonObject;
  readonly createdAt: number;
}

/** A board task's branch against its project's default branch (committed and uncommitted work). */
export interface BoardDiff {
  readonly taskId: number;
  readonly base: string;
  readonly branch: string;
  readonly files: readonly { readonly path: string; readonly added: number; readonly removed: number; readonly binary: boolean }[];
  /** The unified diff, cut at the size limit. */
  readonly diff: string;
  readonly truncated: boolean;
}

/** A pull request opened (or found already open) for a board task's branch. */
export interface PullRequest {
  readonly number: number;
  readonly url: string;
  readonly branch: string;
  /** False when it was already open (the call is idempotent). */
  readonly created: boolean;
}

/** Gap left between cards appended to a column, so moves can land between two of them. */
export const POSITION_STEP = 1024;

/** Closer than this to another card of its column, a moved card makes the column be renumbered. */
export const MIN_POSITION_GAP = 1e-6;

/**
 * Where an execution's state moves its card: `in_progress` while it works, `in_review`
 * when it completed and left changes, `done` when it completed with none, `blocked` on
 * failure; undefined: leave the card where it is (cancelled, or still queued).
 */
export function statusForExecution(state: TaskState, leftChanges: boolean): BoardStatus | undefined {
  switch (state) {
    case 'planning':
    case 'running':
    case 'waiting':
      return 'in_progress';
    case 'completed':
      return leftChanges ? 'in_review' : 'done';
    case 'failed':
      return 'blocked';
    default:
      return undefined;
  }
}
