/**
 * The secure runtime: an interceptor around the engine that authorizes every call
 * (deny by default) and audits every denial before refusing. Transports only ever
 * get this object.
 *
 * Visibility rule: a caller sees, streams, answers and cancels its own tasks;
 * `admin:system` sees everyone's; and someone else's task of project P when a
 * resource policy on `project:P` names the caller (allowed users or roles) and allows
 * the permission asked for (`task:view` to read, stream and list; `task:cancel` to
 * cancel; answering stays with the owner and `admin:system`) — the same rule lists
 * all of P's tasks when the caller filters on P. Otherwise
 * someone else's task is reported as not found (its existence is not revealed) and
 * the attempt is audited as a denial.
 *
 * Audit reading: everything needs `admin:system`; a user's activity is open to the
 * user themself and to `admin:users`; a session's to `admin:system` and to a caller
 * acting in that session. Nothing here edits or deletes audit records.
 */
import { denialRecord, deny as denyAndRecord } from './denials.ts';
import { SwitchboardError } from '../core/domain/errors.ts';
import { type Permission } from '../core/domain/permissions.ts';
import type { Runtime, StreamOptions, TaskEngine } from '../core/services/runtime.ts';
import type { AuditExportFilter, AuditRecord } from '../core/domain/audit.ts';
import { hasPermission, type Caller } from '../core/domain/caller.ts';
import type { StreamItem } from '../core/domain/event.ts';
import type { Task, TaskFilter } from '../core/domain/task.ts';
import { verifyLiveAuditChain } from './audit-verify.ts';
import { createRoleAuthorizer } from './authorizer.ts';
import { checkSubmitSession, type SubmitSessionDeps } from './submit-session.ts';
import type { Authorizer } from '../core/ports/authorizer.ts';
import { pendingApproval } from '../core/domain/waiting.ts';

export function createSecureRuntime(
  engine: TaskEngine,
  authorizer: Authorizer = createRoleAuthorizer(),
  submitSessions?: SubmitSessionDeps,
): Runtime {
  const deny = (caller: Caller, permission: Permission, resourceType: string | null, resourceId: string | null, reason: string) =>
    denyAndRecord((input) => engine.recordAudit(input), caller, permission, resourceType, resourceId, reason);

  async function need(caller: Caller, permission: Permission, resourceType: string | null, resourceId: string | null) {
    const decision = await authorizer.check(caller, permission, resourceType === null ? undefined : { type: resourceType, id: resourceId });
    if (!decision.allowed) await deny(caller, permission, resourceType, resourceId, decision.reason);
  }

  const seesAll = (caller: Caller): boolean => hasPermission(caller, 'admin:system');

  /** True when a policy on `project:<projectId>` names the caller and allows `permission` (the visibility rule). */
  async function projectAllows(caller: Caller, permission: Permission, projectId: string | null | undefined): Promise<boolean> {
    // A policy restricting who may submit to a project must not let them answer others' tasks.
    if (projectId === null || projectId === undefined || (permission !== 'task:view' && permission !== 'task:cancel')) return false;
    const decision = await authorizer.check(caller, permission, { type: 'project', id: projectId });
    return decision.allowed && decision.namedByPolicy === true;
  }

  /** The task, if the caller holds `permission` and may see it; else a denial. */
  async function visibleTask(caller: Caller, permission: Permission, taskId: string): Promise<Task> {
    await need(caller, permission, 'task', taskId);
    const task = await engine.findTask(taskId);
    if (task === undefined) throw new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });
    if (task.ownerId !== caller.principal.id && !seesAll(caller) && !(await projectAllows(caller, permission, task.projectId))) {
      await engine.recordAudit(denialRecord(caller, permission, 'task', taskId, 'not the owner of the task'));
      throw new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });
    }
    return task;
  }

  return {
    async submit(caller, input) {
      // With a project, submitting is a project action (`project:<id>` policies); without, an agent one.
      if (input.projectId !== undefined) await need(caller, 'task:submit', 'project', input.projectId);
      else await need(caller, 'task:submit', 'agent', input.agentType);
      await need(caller, 'agent:execute', 'agent', input.agentType);
      await checkSubmitSession(submitSessions, (a) => engine.recordAudit(a), caller, input);
      return engine.submit(caller, input);
    },

    async getTask(caller, taskId) {
      return visibleTask(caller, 'task:view', taskId);
    },

    async listTasks(caller, filter: TaskFilter) {
      await need(caller, 'task:view', 'task', null);
      const all = seesAll(caller) || (await projectAllows(caller, 'task:view', filter.projectId));
      const scoped = all ? filter : { ...filter, ownerId: caller.principal.id };
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

    // Deciding an approval takes seeing the task and being allowed to run the skill yourself.
    async approve(caller, taskId, input) {
      const task = await visibleTask(caller, 'task:view', taskId);
      const pending = pendingApproval(task.waiting);
      if (pending !== undefined) {
        const decision = await authorizer.check(caller, 'skill:execute', { type: 'skill', id: pending.skillId });
        if (!decision.allowed) {
          const record = denialRecord(caller, 'skill.approve', 'skill', pending.skillId, decision.reason);
          await engine.recordAudit({ ...record, details: { permission: 'skill:execute', reason: decision.reason, task_id: taskId } });
          throw new SwitchboardError('AUTH_FORBIDDEN', `Permission denied: ${decision.reason}`, { permission: 'skill:execute' });
        }
      }
      return engine.approve(caller, taskId, input);
    },

    async listEvents(caller, taskId, afterSeq, limit) {
      await visibleTask(caller, 'task:view', taskId);
      return engine.listEvents(caller, taskId, afterSeq, limit);
    },

    async stream(caller: Caller, taskId: string, options?: StreamOptions): Promise<AsyncIterable<StreamItem>> {
      await visibleTask(caller, 'task:view', taskId);
      return engine.stream(caller, taskId, options);
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

    async exportAudit(caller: Caller, filter: AuditExportFilter): Promise<AsyncIterable<AuditRecord>> {
      await need(caller, 'admin:system', 'audit', null);
      return engine.exportAudit(caller, filter);
    },

    async verifyAudit(caller) {
      await need(caller, 'admin:system', 'audit', null);
      return verifyLiveAuditChain(engine.audit);
    },
  };
}
