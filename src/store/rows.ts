/** Mapping between database rows and domain objects (the only place that knows both). */
import type { Selectable } from 'kysely';
import type { AuditInput, AuditRecord } from '../core/domain/audit.ts';
import type { TaskEvent, TaskEventType } from '../core/domain/event.ts';
import type { Json, JsonObject } from '../core/domain/json.ts';
import type { Task } from '../core/domain/task.ts';
import type { TaskState } from '../core/domain/task-states.ts';
import type { WaitingReason } from '../core/domain/waiting.ts';
import type { AuditLogTable, TaskEventsTable, TasksTable } from './schema.ts';

const parseObject = (text: string): JsonObject => JSON.parse(text) as JsonObject;

/** The columns that hold a waiting reason: the question, and the approval's ids when it is one. */
export function waitingColumns(w: WaitingReason | null): { question: string | null; waiting_approval: string | null } {
  if (w === null) return { question: null, waiting_approval: null };
  return {
    question: w.question,
    waiting_approval: w.kind === 'approval' ? JSON.stringify({ approval_id: w.approvalId, skill_id: w.skillId }) : null,
  };
}

function waitingOf(question: string | null, approval: string | null): WaitingReason | null {
  if (question === null) return null;
  if (approval === null) return { kind: 'question', question };
  const a = JSON.parse(approval) as { approval_id: string; skill_id: string };
  return { kind: 'approval', question, approvalId: a.approval_id, skillId: a.skill_id };
}

export function rowToTask(r: Selectable<TasksTable>): Task {
  return {
    id: r.id,
    executionUuid: r.execution_uuid,
    agentType: r.agent_type,
    prompt: r.prompt,
    context: parseObject(r.context),
    sessionId: r.session_id,
    projectId: r.project_id,
    boardTaskId: r.board_task_id,
    ownerId: r.owner_id,
    idempotencyKey: r.idempotency_key,
    state: r.state as TaskState,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    result: r.result === null ? null : (JSON.parse(r.result) as Json),
    error: r.error,
    metadata: parseObject(r.metadata),
    progress: r.progress,
    waiting: waitingOf(r.question, r.waiting_approval),
    lastSeq: r.last_seq,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    leaseEpoch: r.lease_epoch,
    runAfter: r.run_after,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function taskToRow(t: Task): TasksTable {
  return {
    id: t.id,
    execution_uuid: t.executionUuid,
    agent_type: t.agentType,
    prompt: t.prompt,
    context: JSON.stringify(t.context),
    session_id: t.sessionId,
    project_id: t.projectId,
    board_task_id: t.boardTaskId,
    owner_id: t.ownerId,
    idempotency_key: t.idempotencyKey,
    state: t.state,
    attempt: t.attempt,
    max_attempts: t.maxAttempts,
    result: t.result === null ? null : JSON.stringify(t.result),
    error: t.error,
    metadata: JSON.stringify(t.metadata),
    progress: t.progress,
    ...waitingColumns(t.waiting),
    last_seq: t.lastSeq,
    lease_owner: t.leaseOwner,
    lease_expires_at: t.leaseExpiresAt,
    lease_epoch: t.leaseEpoch,
    run_after: t.runAfter,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    started_at: t.startedAt,
    finished_at: t.finishedAt,
  };
}

export function rowToEvent(r: Selectable<TaskEventsTable>): TaskEvent {
  return {
    taskId: r.task_id,
    seq: r.seq,
    type: r.type as TaskEventType,
    state: r.state as TaskState,
    message: r.message,
    progress: r.progress,
    data: r.data === null ? null : parseObject(r.data),
    createdAt: r.created_at,
  };
}

export function eventToRow(e: TaskEvent): TaskEventsTable {
  return {
    task_id: e.taskId,
    seq: e.seq,
    type: e.type,
    state: e.state,
    message: e.message,
    progress: e.progress,
    data: e.data === null ? null : JSON.stringify(e.data),
    created_at: e.createdAt,
  };
}

export function rowToAudit(r: Selectable<AuditLogTable>): AuditRecord {
  return {
    seq: r.seq,
    eventId: r.event_id,
    eventType: r.event_type as AuditInput['eventType'],
    timestamp: r.timestamp,
    userId: r.user_id,
    sessionId: r.session_id,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    action: r.action,
    status: r.status as AuditInput['status'],
    details: parseObject(r.details),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function auditToRow(a: AuditRecord): AuditLogTable {
  return {
    seq: a.seq,
    event_id: a.eventId,
    event_type: a.eventType,
    timestamp: a.timestamp,
    user_id: a.userId,
    session_id: a.sessionId,
    resource_type: a.resourceType,
    resource_id: a.resourceId,
    action: a.action,
    status: a.status,
    details: JSON.stringify(a.details),
    prev_hash: a.prevHash,
    hash: a.hash,
  };
}
