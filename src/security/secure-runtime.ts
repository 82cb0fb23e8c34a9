/**
 * The secure runtime: an interceptor around the engine that authorizes every call
 * (deny by default) and audits every denial before refusing. Transports only ever
 * get this object.
 *
 * Visibility rule: a caller sees, streams, answers and cancels its own tasks;
 * `admin:system` sees everyone's. Someone else's task is reported as not found
 * (its existence is not revealed) and the attempt is audited as a denial.
 *
 * Audit reading: everything needs `admin:system`; a user's activity is open to the
 * user themself and to `admin:users`; a session's to `admin:system` and to a caller
 * acting in that session. Nothing here edits or deletes audit records.
 */
import { denialRecord, deny as denyAndRecord } from './denials.ts';
import { SwitchboardError } from '../core/errors.ts';
import { hasPermission, type Permission } from '../core/permissions.ts';
import type { Runtime, StreamOptions, TaskEngine } from '../core/runtime.ts';
import type { AuditExportFilter, AuditRecord, Caller, Task, TaskEvent, TaskFilter } from '../core/types.ts';
import { verifyLiveAuditChain } from './audit-verify.ts';
import { createRoleAuthorizer } from './authorizer.ts';
import type { Authorizer } from '../core/ports.ts';

export function createSecureRuntime(engine: TaskEngine, authorizer: Authorizer = createRoleAuthorizer()): Runtime {
  const deny = (caller: Caller, permission: Permission, resourceType: string | null, resourceId: string | null, reason: string) =>
    denyAndRecord((input) => engine.recordAudit(input), caller, permission, resourceType, resourceId, reason);

  async function need(caller: Caller, permission: Permission, resourceType: string | null, resourceId: string | null) {
    const decision = await authorizer.check(caller, permission, resourceType === null ? undefined : { type: resourceType, id: resourceId });
    if (!decision.allowed) await deny(caller, permission, resourceType, resourceId, decision.reason);
  }

  const seesAll = (caller: Caller): boolean => hasPermission(caller, 'admin:system');

  /** The task, if the caller holds `permission` and may see it; else a denial. */
  async function visibleTask(caller: Caller, permission: Permission, taskId: string): Promise<Task> {
    await need(caller, permission, 'task', taskId);
    const task = await engine.findTask(taskId);
    if (task === undefined) throw new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });
    if (task.ownerId !== caller.principal.id && !seesAll(caller)) {
      await engine.recordAudit(denialRecord(caller, permission, 'task', taskId, 'not the owner of the task'));
      throw new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });
    }
    return task;
  }

  return {
    async submit(caller, input) {
      await need(caller, 'task:submit', 'agent', input.agentType);
      await need(caller, 'agent:execute', 'agent', input.agentType);
      return engine.submit(caller, input);
    },

    async getTask(caller, taskId) {
      return visibleTask(caller, 'task:view', taskId);
    },

    async listTasks(caller, filter: TaskFilter) {
      await need(caller, 'task:view', 'task', null);
      const scoped = seesAll(caller) ? filter : { ...filter, ownerId: caller.principal.id };
      return engine.listTasks(caller, scoped);
    },

    async cancel(caller, taskId) {
      await visibleTask(caller, 'task:cancel', taskId);
      return engine.cancel(caller, taskId);
    },

    async answer(caller, taskId, answer) {
      await visibleTask(caller, 'task:submit', taskId);
      return engine.answer(caller, taskId, answer);
    },

    async listEvents(caller, taskId, afterSeq, limit) {
      await visibleTask(caller, 'task:view', taskId);
      return engine.listEvents(caller, taskId, afterSeq, limit);
    },

    stream(caller: Caller, taskId: string, options?: StreamOptions): AsyncIterable<TaskEvent> {
      return {
        async *[Symbol.asyncIterator]() {
          await visibleTask(caller, 'task:view', taskId);
          yield* engine.stream(caller, taskId, options);
        },
      };
    },

    async listAgents(caller) {
      await need(caller, 'agent:list', 'agent', null);
      return engine.listAgents(caller);
    },

    async listSkills(caller) {
      await need(caller, 'skill:list', 'skill', null);
      return engine.listSkills(caller);
    },

    async queryAudit(caller, filter) {
      await need(caller, 'admin:system', 'audit', null);
      return engine.queryAudit(caller, filter);
    },

    async userActivity(caller, userId, filter) {
      if (caller.principal.id !== userId && !hasPermission(caller, 'admin:users')) {
        await deny(caller, 'admin:users', 'user', userId, "requires admin:users to read another user's activity");
      }
      return engine.userActivity(caller, userId, filter);
    },

    async sessionActivity(caller, sessionId, filter) {
      if (caller.sessionId !== sessionId && !seesAll(caller)) {
        await deny(caller, 'admin:system', 'session', sessionId, "requires admin:system to read another session's activity");
      }
      return engine.sessionActivity(caller, sessionId, filter);
    },

    exportAudit(caller: Caller, filter: AuditExportFilter): AsyncIterable<AuditRecord> {
      return {
        async *[Symbol.asyncIterator]() {
          await need(caller, 'admin:system', 'audit', null);
          yield* engine.exportAudit(caller, filter);
        },
      };
    },

    async verifyAudit(caller) {
      await need(caller, 'admin:system', 'audit', null);
      return verifyLiveAuditChain(engine.audit);
    },
  };
}
