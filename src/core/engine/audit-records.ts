/** Builders of the audit records the engine writes for task lifecycle changes. */
import type { AuditEventType, AuditInput } from '../domain/audit.ts';
import type { Caller } from '../domain/caller.ts';
import type { JsonObject } from '../domain/json.ts';
import type { Task } from '../domain/task.ts';

/** An audit record about `task`, attributed to its owner unless a caller is given. */
export function auditFor(
  task: Task,
  eventType: AuditEventType,
  action: string,
  status: AuditInput['status'],
  details: JsonObject,
  caller?: Caller,
): AuditInput {
  return {
    eventType,
    userId: caller?.principal.id ?? task.ownerId,
    sessionId: caller?.sessionId ?? task.sessionId,
    resourceType: 'task',
    resourceId: task.id,
    action,
    status,
    // Which transport acted (e.g. the Telegram bot), when it is not the HTTP API.
    details: caller?.channel !== undefined ? { ...details, channel: caller.channel } : details,
  };
}
