/**
 * Ports: what the core needs from the outside world. Implementations live in
 * store/, security/, agents/ and app/; the core never imports them.
 */
import type { ApprovalDecision, TaskTools } from './tool-ports.ts';
import type { TaskState } from './task-states.ts';
import type { Permission } from './permissions.ts';
import type { ConversationTurn } from './session-memory.ts';
import type {
  AgentInfo,
  AuditFilter,
  AuditInput,
  AuditRecord,
  Json,
  JsonObject,
  Page,
  Caller,
  OutputPreview,
  SkillInfo,
  Task,
  TaskEvent,
  TaskEventType,
  TaskFilter,
} from './types.ts';

/** Wall-clock time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Timers, injected so the core has no hidden clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` after the current IO phase (group-commit boundary). */
  defer(fn: () => void): void;
}
export interface TimerHandle {
  unref?(): unknown;
}

/** Fresh unique ids (UUIDs). */
export interface Ids {
  uuid(): string;
}

/** Structured logging; never pass secrets. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Counters the engine reports; the app exports them (Prometheus). */
export interface EngineMetrics {
  taskSubmitted(agentType: string): void;
  taskFinished(agentType: string, state: TaskState, runMs: number | null): void;
  commitFlushed(items: number, ms: number): void;
}

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
  readonly question?: string | null;
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
 * A conditional change of one task: applied only if the task's state is in
 * `fromStates` (when given) and its lease epoch equals `epoch` (when given).
 * Every applied change appends exactly one event.
 */
export interface TaskChange {
  readonly taskId: string;
  readonly epoch?: number;
  readonly fromStates?: readonly TaskState[];
  readonly to?: TaskState;
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
}
export interface CommitResult {
  readonly creates: readonly CreateOutcome[];
  readonly changes: readonly ChangeOutcome[];
}

/** Claims pending tasks for a node. */
export interface ClaimRequest {
  readonly owner: string;
  readonly limit: number;
  readonly now: number;
  readonly leaseMs: number;
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
  commit(batch: CommitBatch): Promise<CommitResult>;
  claim(request: ClaimRequest): Promise<readonly ClaimedTask[]>;
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

/** What the change feed of a shared database reports. */
export type TaskChangeNotice =
  | { readonly kind: 'changed'; readonly taskIds: readonly string[] }
  /** Listening (again): changes made while not listening are unknown. */
  | { readonly kind: 'up' }
  /** Not listening: other nodes' changes go unseen until `up`. */
  | { readonly kind: 'down' };

/**
 * Tasks changed by other nodes of a shared database (PostgreSQL LISTEN/NOTIFY). The
 * engine keeps its task cache only while the feed is up and evicts what it reports.
 */
export interface TaskChangeFeed {
  subscribe(listener: (notice: TaskChangeNotice) => void): () => void;
}

/** Audit chain reading (writing goes through commits). */
export interface AuditStore {
  listAudit(afterSeq: number, limit: number): Promise<readonly AuditRecord[]>;
  /** Records matching the filter, newest first; keyset pagination on the sequence number. */
  queryAudit(filter: AuditFilter): Promise<Page<AuditRecord>>;
  /** The chain head as last written (sequence number and hash). */
  auditHead(): Promise<{ readonly seq: number; readonly hash: string }>;
}

export type { CredentialStore, NewTokenRecord, UserRecordPatch } from './credential-ports.ts';
export type { ApprovalDecision, ApprovalRequest, SkillExecutor, TaskTools, ToolGate, ToolResult, ToolRun, ToolSpec } from './tool-ports.ts';
export type { PolicyStore } from './policy-ports.ts';

/** In-process fan-out of committed events and control signals. */
export interface EventBus {
  publish(event: TaskEvent): void;
  subscribe(taskId: string, listener: (event: TaskEvent) => void): () => void;
  /** Live output previews (this node only; never stored). */
  preview(preview: OutputPreview): void;
  subscribePreviews(taskId: string, listener: (preview: OutputPreview) => void): () => void;
  /** Signals to whichever node runs a task (cancel, answer). */
  signal(signal: TaskSignal): void;
  onSignal(listener: (signal: TaskSignal) => void): () => void;
}
export type TaskSignal =
  | { readonly kind: 'cancel'; readonly taskId: string }
  | { readonly kind: 'answer'; readonly taskId: string; readonly answer: string }
  | { readonly kind: 'approval'; readonly taskId: string; readonly approvalId: string; readonly decision: ApprovalDecision };

/** Retry policy of an agent. */
export interface RetryPolicy {
  /** Attempts in all, including the first (default: 1 — no retry). */
  readonly maxAttempts: number;
  /** Delay before attempt n+1 is `backoffMs * 2^(n-1)` (default: 1,000 ms). */
  readonly backoffMs: number;
}

/** Something an agent reports while it works. */
export interface AgentEmission {
  readonly type: 'progress' | 'log' | 'output';
  readonly message?: string;
  /** 0..100 */
  readonly progress?: number;
  readonly data?: JsonObject;
}

/** Key-value memory of the session a task runs in. */
export interface MemoryScope {
  get(key: string): Promise<Json | undefined>;
  set(key: string, value: Json): Promise<void>;
}

/** What an agent gets to do its work. */
export interface AgentRunContext {
  readonly taskId: string;
  readonly attempt: number;
  readonly agentType: string;
  readonly prompt: string;
  readonly context: JsonObject;
  readonly sessionId: string | null;
  readonly projectId: string | null;
  /** Aborted on cancel, timeout, lease loss and shutdown; the agent must stop. */
  readonly signal: AbortSignal;
  /** Session memory; absent for tasks submitted outside a session. */
  readonly memory: MemoryScope | undefined;
  /** Earlier completed tasks of the session (oldest first, at most 50): the conversation so far; empty outside a session. */
  readonly history: readonly ConversationTurn[];
  /** Reports progress/log/output; recorded as task events (never blocks). */
  emit(emission: AgentEmission): void;
  /**
   * Streams output text (model tokens, a CLI's assistant text): watchers see each piece
   * at once as a preview; it is stored coalesced, a few `output` events per second.
   */
  stream(text: string): void;
  /** Skills offered as tools (empty when the agent may use none); absent when the engine has no tool gate. */
  readonly tools?: TaskTools;
  /** Puts the task in `waiting` until a caller answers; resolves with the answer. */
  ask(question: string): Promise<string>;
  /** Sleeps, rejecting with an AbortError when the task is aborted. */
  sleep(ms: number): Promise<void>;
}

/** What an agent returns on success. */
export interface AgentOutcome {
  readonly result: Json;
  readonly metadata?: JsonObject;
}

/** The adapter every agent kind implements. */
export interface AgentAdapter {
  readonly info: Omit<AgentInfo, 'available'>;
  readonly retry: RetryPolicy;
  /** Skills this agent may offer as tools (`*`: every skill); absent or empty: none. */
  readonly allowedSkills?: readonly string[];
  /** True when the agent can actually run now (key present, binary found, …). */
  isAvailable(): Promise<boolean>;
  run(ctx: AgentRunContext): Promise<AgentOutcome>;
}

/** Where agents come from. */
export interface AgentRegistry {
  get(agentType: string): AgentAdapter | undefined;
  list(): readonly AgentAdapter[];
}

/** A skill with what running it needs (the folder, its instructions, how to call it). */
export interface SkillDefinition extends SkillInfo {
  /** Absolute path of the skill's folder. */
  readonly dir: string;
  /** The body of SKILL.md (after the front matter): instructions for the model. */
  readonly instructions: string;
  /** A call waits for a person with permission to approve it. */
  readonly requiresApproval: boolean;
  /** argv of the executable, relative to `dir` (no shell); null when the skill is instructions only. */
  readonly entrypoint: readonly string[] | null;
  /** JSON Schema of the entrypoint's input; null: any object. */
  readonly inputSchema: JsonObject | null;
}

/** Where skills come from: SKILL.md folders in the data dir and configured paths. */
export interface SkillCatalog {
  list(): Promise<readonly SkillInfo[]>;
  get(skillId: string): Promise<SkillDefinition | undefined>;
}

/** Computes an audit record's chain hash from the previous hash (security module supplies it). */
export type AuditHasher = (record: Omit<AuditRecord, 'hash'>) => string;

/** A resource a permission is checked on: `agent:<id>`, `skill:<id>`, `project:<id>`, `task:<id>` … (`id` null: the kind as a whole). */
export interface ResourceRef {
  readonly type: string;
  readonly id: string | null;
}

/** The outcome of one authorization check, with the rule that decided it (for denials and `explain`). */
export interface Decision {
  readonly allowed: boolean;
  /** Human-readable: why it was allowed or denied. */
  readonly reason: string;
  /** The deciding rule, e.g. `role:developer`, `grant`, `policy:<id>`, `default-deny`. */
  readonly rule: string;
  /** How the decision was reached, rule by rule (`explain`); absent from simple authorizers. */
  readonly steps?: readonly DecisionStep[];
  /** True when a resource policy allowed the caller by naming them (its allowed users or roles). */
  readonly namedByPolicy?: boolean;
}

/** One rule looked at while deciding: what it said and why. */
export interface DecisionStep {
  /** e.g. `role:viewer`, `default-deny`, `policies`, `denied-users`, `policy:<id>`. */
  readonly rule: string;
  /** `pass`: the rule did not decide; evaluation went on. */
  readonly outcome: 'allow' | 'deny' | 'pass';
  readonly detail: string;
}

/** Decides one permission on one resource for a caller (roles, grants, resource policies, device trust). Security implements it. */
export interface Authorizer {
  check(caller: Caller, permission: Permission, resource?: ResourceRef): Promise<Decision>;
}

/** Turns a wire credential into a Caller (security implements it; transports call it). */
export interface Authenticator {
  /** Throws AUTH_REQUIRED without a credential and AUTH_INVALID for a bad one. */
  authenticate(bearer: string | undefined): Promise<Caller>;
}
