/**
 * The secure runtime: an interceptor around the engine that authorizes every call
 * (deny by default) and audits every denial before refusing. Transports only ever
 * get this object.
 *
 * Which tasks a caller sees and acts on: task-visibility.ts (the rule shared with
 * every service acting on tasks).
 *
 * Audit reading: everything needs `admin:system`; a user's activity is open to the
 * user themself and to `admin:users`; a session's to `admin:system` and to a caller
 * acting in that session. Nothing here edits or deletes audit records.
 */
import type { Permission } from '../../core/domain/permissions.ts';
import type { Runtime, StreamOptions, TaskEngine } from '../../core/services/runtime.ts';
import type { AuditExportFilter, AuditRecord } from '../../core/domain/audit.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { StreamItem } from '../../core/domain/event.ts';
import type { Task, TaskFilter } from '../../core/domain/task.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { BoardLinkCheck } from '../../core/ports/board-links.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import { pendingApproval } from '../../core/domain/waiting.ts';
import { verifyLiveAuditChain } from '../audit/audit-verify.ts';
import { createGuard } from './guard.ts';
import { createRoleAuthorizer } from './role-authorizer.ts';
import { checkSubmitSession, type SubmitSessionDeps } from './submit-session.ts';
import { createTaskVisibility, type TaskVisibility } from './task-visibility.ts';

/** How many waiting tasks an inbox looks at, at most. */
const INBOX_SCAN = 1000;

export interface SecureRuntimeOptions {
  /** Decides and audits every check (default: the role table alone, auditing into the engine). */
  readonly guard?: Guard;
  /** Which sessions a submit may name (absent: only the caller's own). */
  readonly submitSessions?: SubmitSessionDeps;
  /** Who sees which task (default: the rule of task-visibility.ts on this guard). */
  readonly tasks?: TaskVisibility;
  /** Checks a submit's tie to a board task (absent: such a tie is refused). */
  readonly boardLinks?: BoardLinkCheck;
}

/** The runtime with every call checked. */
export function createSecureRuntime(engine: TaskEngine, options: SecureRuntimeOptions = {}): Runtime {
  const guard = options.guard ?? createGuard(createRoleAuthorizer(), (input) => engine.recordAudit(input));
  const tasks = options.tasks ?? createTaskVisibility(guard, (taskId) => engine.findTask(taskId));
  const submitSessions = options.submitSessions;
  const { visibleTask, listsAll } = tasks;
  const need = (caller: Caller, permission: Permission, type: string, id: string | null) => guard.ensure(caller, permission, { type, id });

  return {
    async submit(caller, input) {
      // With a project, submitting is a project action (`project:<id>` policies); without, an agent one.
      if (input.projectId !== undefined) await need(caller, 'task:submit', 'project', input.projectId);
      else await need(caller, 'task:submit', 'agent', input.agentType);
      await need(caller, 'agent:execute', 'agent', input.agentType);
      await checkSubmitSession(submitSessions, guard, caller, input);
      if (input.boardTaskId !== undefined) {
        if (options.boardLinks === undefined) throw new SwitchboardError('VALIDATION_FAILED', 'task_id: this server has no board', { field: 'task_id' });
        await options.boardLinks(caller, input);
      }
      return engine.submit(caller, input);
    },

    async getTask(caller, taskId) {
      return visibleTask(caller, 'task:view', taskId);
    },

    async listTasks(caller, filter: TaskFilter) {
      await need(caller, 'task:view', 'task', null);
      const scoped = (await listsAll(caller, filter.projectId)) ? filter : { ...filter, ownerId: caller.principal.id };
      return engine.listTasks(caller, scoped);
    },

    async inbox(caller, limit) {
      await need(caller, 'task:view', 'task', null);
      const all = await listsAll(caller, undefined);
      const me = caller.principal.id;
      const found: Task[] = [];
      let cursor: string | undefined;
      // Waiting tasks are few; the scan is bounded all the same.
      for (let scanned = 0; scanned < INBOX_SCAN && found.length < limit; ) {
        const page = await engine.listTasks(caller, { states: ['waiting'], limit: 100, ...(all ? {} : { ownerId: me }), ...(cursor !== undefined ? { cursor } : {}) });
        for (const task of page.items) {
          const approval = pendingApproval(task.waiting);
          const mine = approval === undefined ? task.ownerId === me : (await guard.decide(caller, 'skill:execute', { type: 'skill', id: approval.skillId })).allowed;
          if (mine && found.length < limit) found.push(task);
        }
        scanned += page.items.length;
        if (page.nextCursor === undefined || page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      return found;
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
        await guard.ensure(caller, 'skill:execute', { type: 'skill', id: pending.skillId }, { action: 'skill.approve', why: `deciding the approval of task ${taskId}` });
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
      await guard.ensureSelfOr(caller, userId, 'admin:users', { type: 'user', id: userId }, { why: "reading another user's activity" });
      return engine.userActivity(caller, userId, filter);
    },

    async sessionActivity(caller, sessionId, filter) {
      if (caller.sessionId !== sessionId) {
        await guard.ensure(caller, 'admin:system', { type: 'session', id: sessionId }, { why: "reading another session's activity" });
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
