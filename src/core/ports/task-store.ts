/**
 * The TaskStore port: durable task state, events and audit; one method, one transaction.
 * Implementations live in store/; the core never imports them.
 */
import type { AuditInput } from '../domain/audit.ts';
import type { TaskEvent, TaskEventType } from '../domain/event.ts';
import type { Json, JsonObject } from '../domain/json.ts';
import type { Page } from '../domain/page.ts';
import type { TaskState } from '../domain/task-states.ts';
import type { Task, TaskFilter } from '../domain/task.ts';
import type { Transition } from '../domain/transitions.ts';
import type { WaitingReason } from '../domain/waiting.ts';

/** An event without its sequence number (the store assigns it). */
export interface EventInput {
  readonly type: TaskEventType;
  readonly message?: string | null;
  readonly progress?: number | null;
  readonly data?: JsonObject | null;
}

/** Fields a change may set on a task. */
export interface TaskPatch {
  readonly result?: Json | null;
  readonly error?: string | null;
  readonly metadata?: JsonObject;
  readonly progress?: number | null;
  readonly waiting?: WaitingReason | null;
  readonly attempt?: number;
  readonly runAfter?: number;
  readonly startedAt?: number | null;
  readonly finishedAt?: number | null;
  /** Drop the lease (owner and expiry) and bump the epoch, fencing off its old holder. */
  readonly releaseLease?: boolean;
}

/** A new task with its first event (seq 1) and audit record. */
export interface NewTaskRecord {
  readonly task: Task;
  readonly audit: AuditInput;
}

export type CreateOutcome =
  | { readonly kind: 'created'; readonly task: Task; readonly event: TaskEvent }
  | { readonly kind: 'existing'; readonly task: Task };

/**
 * A conditional change of one task: applied only if its lease epoch equals `epoch`
 * (when given) and its state is in `transition.from` (a state change) or `inStates`
 * (an event of a task that stays in its state). Every applied change appends
 * exactly one event.
 */
export interface TaskChange {
  readonly taskId: string;
  readonly epoch?: number;
  /** The state change, built by `transition()`; absent: the state stays. */
  readonly transition?: Transition;
  /** Without a transition: the states the task must be in for the change to apply. */
  readonly inStates?: readonly TaskState[];
  readonly set?: TaskPatch;
  readonly event: EventInput;
  /** Written in the same transaction, only if the change applies. */
  readonly audit?: AuditInput;
}

export type ChangeOutcome =
  | { readonly applied: true; readonly task: Task; readonly event: TaskEvent }
  | { readonly applied: false; readonly task: Task | undefined };

/** One group commit: everything in it is one transaction. */
export interface CommitBatch {
  /** Commit time: stamps events, audit records and `updated_at`. */
  readonly now: number;
  readonly creates: readonly NewTaskRecord[];
  readonly changes: readonly TaskChange[];
  /** Audit records not tied to a change (e.g. permission denials). */
  readonly audits: readonly AuditInput[];
  /** Claims pending tasks in the same transaction, after the creates (which it may claim). */
  readonly claim?: ClaimRequest;
}

export interface CommitResult {
  readonly creates: readonly CreateOutcome[];
  readonly changes: readonly ChangeOutcome[];
  /** The tasks `claim` took (absent without one). */
  readonly claimed?: readonly ClaimedTask[];
}

/** Claims pending tasks for a node. */
export interface ClaimRequest {
  readonly owner: string;
  readonly limit: number;
  readonly now: number;
  readonly leaseMs: number;
  /** The claim's state change (pending → running): the store claims only from its `from` states. */
  readonly transition: Transition;
  /** Tasks of an agent type this says no to are left pending for another node (absent: any). */
  readonly accepts?: (agentType: string) => boolean;
  /** Builds the claim's event and audit record for each claimed task (state already `running`). */
  readonly describe: (task: Task) => { event: EventInput; audit?: AuditInput };
}

export interface ClaimedTask {
  readonly task: Task;
  readonly event: TaskEvent;
}

export interface LeaseRef {
  readonly taskId: string;
  readonly epoch: number;
}

/** Durable task state, events and audit. One method, one transaction. */
export interface TaskStore {
  /** Writes a batch (and claims, with `batch.claim`) in one transaction. */
  commit(batch: CommitBatch): Promise<CommitResult>;
  /** Extends the leases still held; returns the ids whose lease is gone (fenced or finished). */
  renewLeases(owner: string, leases: readonly LeaseRef[], expiresAt: number): Promise<readonly string[]>;
  /** Non-terminal tasks whose lease ran out, plus those leased by `restartedOwner` (this node before a restart). */
  findOrphans(now: number, restartedOwner: string | undefined, limit: number): Promise<readonly Task[]>;
  findTask(id: string): Promise<Task | undefined>;
  listTasks(filter: TaskFilter): Promise<Page<Task>>;
  listEvents(taskId: string, afterSeq: number, limit: number): Promise<readonly TaskEvent[]>;
  /** Earliest `runAfter` among pending tasks, to wake the scheduler for delayed retries. */
  nextRunAfter(now: number): Promise<number | undefined>;
}
