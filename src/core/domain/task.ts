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
import type { Json, JsonObject } from './json.ts';
import type { TaskState } from './task-states.ts';
import type { WaitingReason } from './waiting.ts';

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
  /** Set while the task is `waiting`: what it waits for. */
  readonly waiting: WaitingReason | null;
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

/**
 * An id short enough to show or to name a branch: its last 8 characters. Ids
 * are time-ordered (their first characters are the time, shared by records
 * made within a minute or so); the last ones are random.
 */
export function shortId(id: string): string {
  return id.slice(-8);
}
