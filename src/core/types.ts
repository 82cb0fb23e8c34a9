/**
 * Glossary — start here.
 *
 * - **task**: one unit of work handed to an agent: a prompt plus context, owned by
 *   the principal who submitted it. Identified by a UUID (`task_id`).
 * - **attempt**: one try at running a task. A task whose worker is lost, or whose
 *   agent fails with a retryable error, may get another attempt (agent retry policy).
 * - **agent**: something that does the work (echo, an LLM API, a coding CLI). The
 *   runtime talks to it through the {@link AgentAdapter} port.
 * - **node**: one Switchboard server process. Nodes claim tasks from the store.
 * - **lease**: a node's time-limited claim on a task (owner, expiry, epoch). The
 *   epoch grows on every claim; every write by a worker is fenced by it, so a node
 *   that lost its lease cannot overwrite its successor.
 * - **event**: an entry in a task's history with a per-task sequence number
 *   (1, 2, 3 … no gaps), stored before it is published.
 * - **caller**: who is asking — a principal, plus the session and device it acts
 *   through. Every runtime call carries one; there is no anonymous access.
 * - **session**: a login context of a principal: a public id (URLs, audit, tasks) and a
 *   bearer secret stored hashed. It owns a key-value memory and the history of its
 *   tasks, which agents of its tasks receive as a conversation (session-memory.ts).
 */
import type { TaskState } from './task-states.ts';
import type { Permission, Role } from './permissions.ts';

/** Someone who can act: a user or a service account. */
export interface Principal {
  readonly id: string;
  readonly username: string;
  readonly kind: 'user' | 'service';
  readonly roles: readonly Role[];
  /** Permissions granted individually, on top of the roles. */
  readonly grants: readonly Permission[];
}

/** Trust level of a device: `unknown → pending → trusted`, or `revoked`. */
export const DeviceTrustLevels = ['unknown', 'pending', 'trusted', 'revoked'] as const;
export type DeviceTrust = (typeof DeviceTrustLevels)[number];

/** Who is calling the runtime, and through what. */
export interface Caller {
  readonly principal: Principal;
  readonly sessionId?: string;
  readonly deviceId?: string;
  /** Trust level of `deviceId` when the session was bound to a registered device. */
  readonly deviceTrust?: DeviceTrust;
  /** The credential kind that authenticated this caller (for audit). */
  readonly via: 'token' | 'session' | 'system';
}

/** JSON-compatible value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A task as stored. Times are milliseconds since the epoch. */
export interface Task {
  readonly id: string;
  readonly executionUuid: string;
  readonly agentType: string;
  readonly prompt: string;
  readonly context: JsonObject;
  readonly sessionId: string | null;
  readonly projectId: string | null;
  readonly boardTaskId: string | null;
  readonly ownerId: string;
  readonly idempotencyKey: string | null;
  readonly state: TaskState;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly result: Json | null;
  readonly error: string | null;
  readonly metadata: JsonObject;
  readonly progress: number | null;
  readonly question: string | null;
  readonly lastSeq: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly leaseEpoch: number;
  readonly runAfter: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

/** Kinds of task events. `state_change` carries the new state. */
export const TaskEventTypes = ['state_change', 'progress', 'log', 'output', 'error'] as const;
export type TaskEventType = (typeof TaskEventTypes)[number];

/** One entry of a task's history. */
export interface TaskEvent {
  readonly taskId: string;
  readonly seq: number;
  readonly type: TaskEventType;
  /** The task's state after this event. */
  readonly state: TaskState;
  readonly message: string | null;
  readonly progress: number | null;
  readonly data: JsonObject | null;
  readonly createdAt: number;
}

/**
 * Output text shown to watchers the moment an agent streams it, before it is stored.
 * Streamed text is stored in chunks (one `output` event per chunk, at most a few per
 * second, `data: {attempt, chunk}`); previews carry the same text as it arrives, at
 * `offset` within chunk `chunk` of attempt `attempt`. A preview has no sequence
 * number, is never stored nor replayed, and `final` closes its chunk. A client that
 * shows previews prints, for a stored output event, only the part of its message past
 * the preview text it already showed for that chunk.
 */
export interface OutputPreview {
  readonly kind: 'preview';
  readonly taskId: string;
  readonly attempt: number;
  readonly chunk: number;
  readonly offset: number;
  readonly text: string;
  readonly final: boolean;
}

/** What an event stream yields: stored events, and live previews of streamed output between them. */
export type StreamItem = TaskEvent | OutputPreview;

/** True for a preview, false for a stored event. */
export function isPreview(item: StreamItem): item is OutputPreview {
  return 'kind' in item;
}

/** What a caller submits. */
export interface SubmitInput {
  readonly agentType: string;
  readonly prompt: string;
  readonly context?: JsonObject;
  readonly sessionId?: string;
  readonly projectId?: string;
  /** A board task this run belongs to (REFERENCE.md's HTTP `task_id`). */
  readonly boardTaskId?: string;
  /** A repeated submit with the same key (per owner) returns the same task. */
  readonly idempotencyKey?: string;
}

/** Filters for listing tasks. */
export interface TaskFilter {
  readonly states?: readonly TaskState[];
  readonly agentType?: string;
  readonly ownerId?: string;
  readonly projectId?: string;
  readonly sessionId?: string;
  readonly limit: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** One page of a listing; `nextCursor` is absent on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** What an agent can do, as shown to callers. */
export interface AgentInfo {
  readonly agentType: string;
  readonly name: string;
  readonly description: string;
  readonly available: boolean;
  readonly capabilities: readonly string[];
  readonly metadata: JsonObject;
}

/** A skill, as shown to callers. */
export interface SkillInfo {
  readonly skillId: string;
  readonly name: string;
  readonly description: string;
  readonly requiredPermissions: readonly Permission[];
  readonly metadata: JsonObject;
}

/** Audit record before it is chained. */
export interface AuditInput {
  readonly eventType: AuditEventType;
  readonly userId: string | null;
  readonly sessionId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly action: string;
  readonly status: 'success' | 'failure' | 'denied';
  readonly details: JsonObject;
}

/** An audit record as stored, with its place in the hash chain. */
export interface AuditRecord extends AuditInput {
  readonly seq: number;
  readonly eventId: string;
  readonly timestamp: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** The audit event types of REFERENCE.md. */
export const AuditEventTypes = [
  'session.created',
  'session.deleted',
  'task.submitted',
  'task.started',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'agent.executed',
  'agent.configured',
  'permission.granted',
  'permission.revoked',
  'permission.denied',
  'resource.accessed',
  'resource.modified',
  'resource.deleted',
] as const;
export type AuditEventType = (typeof AuditEventTypes)[number];

/** Outcome of an audit record. */
export type AuditStatus = AuditInput['status'];

/** Filters for reading the audit log; results are newest first (by sequence number). */
export interface AuditFilter {
  readonly userId?: string;
  readonly sessionId?: string;
  readonly eventType?: AuditEventType;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly status?: AuditStatus;
  /** Records at or after this time (ms since the epoch). */
  readonly from?: number;
  /** Records before this time (ms since the epoch, exclusive). */
  readonly to?: number;
  readonly limit: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** The audit filter without paging (exports walk every page). */
export type AuditExportFilter = Omit<AuditFilter, 'limit' | 'cursor'>;

/** The `prev_hash` of the first audit record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The result of walking the audit hash chain: intact, or the first record that does not verify. */
export type AuditVerification =
  | { readonly ok: true; readonly checked: number; readonly headHash: string }
  | { readonly ok: false; readonly checked: number; readonly brokenSeq: number; readonly reason: string };
