/**
 * The runtime contract: what every transport calls. Every method takes the Caller;
 * the secure runtime (security/) authorizes and audits each call before it reaches
 * the engine, so a transport cannot open a hole.
 */
import type { AgentInfo } from '../domain/agent.ts';
import type { AuditExportFilter, AuditFilter, AuditInput, AuditRecord, AuditVerification } from '../domain/audit.ts';
import type { Caller } from '../domain/caller.ts';
import type { StreamItem, TaskEvent } from '../domain/event.ts';
import type { Page } from '../domain/page.ts';
import type { SkillInfo } from '../domain/skill.ts';
import type { SubmitInput, Task, TaskFilter } from '../domain/task.ts';
import type { AuditStore } from '../ports/audit-store.ts';

/** The result of a submit: the task, and whether this call created it (false: idempotent repeat). */
export interface SubmitResult {
  readonly task: Task;
  readonly created: boolean;
}

/** Options of an event stream. */
export interface StreamOptions {
  /** Replay events with a sequence number above this one (default 0: everything). */
  readonly afterSeq?: number;
  /** Ends the stream early (client went away). */
  readonly signal?: AbortSignal;
}

/** A decision on the pending approval of a tool call. */
export interface ApprovalInput {
  readonly approved: boolean;
  readonly reason?: string;
  /** When given, must match the pending approval (guards against deciding a newer one by mistake). */
  readonly approvalId?: string;
}

/** The runtime, as transports see it. */
export interface Runtime {
  submit(caller: Caller, input: SubmitInput): Promise<SubmitResult>;
  getTask(caller: Caller, taskId: string): Promise<Task>;
  listTasks(caller: Caller, filter: TaskFilter): Promise<Page<Task>>;
  /**
   * The waiting tasks that wait for this caller, newest first, at most `limit`: questions
   * of the caller's own tasks, and approvals the caller may decide (tasks they may see,
   * whose skill they may run themselves).
   */
  inbox(caller: Caller, limit: number): Promise<readonly Task[]>;
  cancel(caller: Caller, taskId: string): Promise<Task>;
  answer(caller: Caller, taskId: string, answer: string): Promise<Task>;
  /** Approves or denies the tool call a waiting task asks approval for; the task resumes. */
  approve(caller: Caller, taskId: string, input: ApprovalInput): Promise<Task>;
  /** The stored history after `afterSeq` (at most `limit` events). */
  listEvents(caller: Caller, taskId: string, afterSeq: number, limit: number): Promise<readonly TaskEvent[]>;
  /**
   * Opens a task's event stream: authorizes (and reports a missing task) when called,
   * before the caller writes anything, then reads as it is iterated: history after
   * `afterSeq`, then live events (and live output previews between them); ends after
   * the terminal event.
   */
  stream(caller: Caller, taskId: string, options?: StreamOptions): Promise<AsyncIterable<StreamItem>>;
  listAgents(caller: Caller): Promise<readonly AgentInfo[]>;
  listSkills(caller: Caller): Promise<readonly SkillInfo[]>;
  /** Audit records matching the filter, newest first (`admin:system`). */
  queryAudit(caller: Caller, filter: AuditFilter): Promise<Page<AuditRecord>>;
  /** One user's audit records, newest first (the user themself, or `admin:users`). */
  userActivity(caller: Caller, userId: string, filter: Omit<AuditFilter, 'userId'>): Promise<Page<AuditRecord>>;
  /** One session's audit records, newest first (`admin:system`, or a caller acting in that session). */
  sessionActivity(caller: Caller, sessionId: string, filter: Omit<AuditFilter, 'sessionId'>): Promise<Page<AuditRecord>>;
  /** Opens an export of every matching audit record (`admin:system`, checked when called), newest first, read page by page as it is iterated. */
  exportAudit(caller: Caller, filter: AuditExportFilter): Promise<AsyncIterable<AuditRecord>>;
  /** Walks the audit hash chain and names the first record that does not verify (`admin:system`). */
  verifyAudit(caller: Caller): Promise<AuditVerification>;
}

/**
 * The engine under the runtime: same operations without authorization (it trusts
 * its caller and records it in the audit trail), plus what the security layer needs.
 */
export interface TaskEngine extends Omit<Runtime, 'verifyAudit' | 'stream' | 'exportAudit' | 'inbox'> {
  /** The stream itself, read lazily; the security layer has checked the task (an unknown one streams nothing). */
  stream(caller: Caller, taskId: string, options?: StreamOptions): AsyncIterable<StreamItem>;
  /** The export itself, read page by page as it is iterated. */
  exportAudit(caller: Caller, filter: AuditExportFilter): AsyncIterable<AuditRecord>;
  /** The stored audit chain, read-only: the security layer verifies it (the engine holds no hashing code). */
  readonly audit: AuditStore;
  /** Writes audit records through the group commit (e.g. permission denials). */
  recordAudit(input: AuditInput): Promise<void>;
  /** Looks a task up without authorization (the security layer decides visibility). */
  findTask(taskId: string): Promise<Task | undefined>;
}
