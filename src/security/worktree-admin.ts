/**
 * Removing a finished task's git worktree (and, on request, its `task/…` branch):
 * the task's owner or `admin:system` only; someone else's task is reported as not
 * found and the attempt audited as a denial. Only terminal tasks: a running agent
 * may still be writing there. The removal is audited as `resource.deleted`.
 */
import { denialRecord } from './denials.ts';
import { hasPermission } from '../core/domain/caller.ts';
import { SwitchboardError } from '../core/domain/errors.ts';
import { isTerminal } from '../core/domain/transitions.ts';
import type { WorktreeAdmin, WorktreeRemoval } from '../core/services/worktree-admin.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Task } from '../core/domain/task.ts';

export interface WorktreeAdminDeps {
  readonly findTask: (taskId: string) => Promise<Task | undefined>;
  /** Removes the task's worktree; undefined when it has none (the integration supplies it). */
  readonly removeWorktree: (
    taskId: string,
    options: { readonly deleteBranch: boolean },
  ) => Promise<Omit<WorktreeRemoval, 'taskId'> | undefined>;
  readonly recordAudit: (input: AuditInput) => Promise<void>;
}

export function createWorktreeAdmin(deps: WorktreeAdminDeps): WorktreeAdmin {
  return {
    async remove(caller, taskId, options) {
      const task = await deps.findTask(taskId);
      if (task === undefined) throw new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });
      if (task.ownerId !== caller.principal.id && !hasPermission(caller, 'admin:system')) {
        await deps.recordAudit(denialRecord(caller, 'admin:system', 'worktree', taskId, "requires admin:system to remove another user's worktree"));
        throw new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });
      }
      if (!isTerminal(task.state)) throw new SwitchboardError('TASK_NOT_TERMINAL', `The task is still ${task.state}`, { state: task.state });
      const removed = await deps.removeWorktree(taskId, options);
      if (removed === undefined) throw new SwitchboardError('WORKTREE_NOT_FOUND', undefined, { task_id: taskId });
      await deps.recordAudit({
        eventType: 'resource.deleted',
        userId: caller.principal.id,
        sessionId: caller.sessionId ?? null,
        resourceType: 'worktree',
        resourceId: taskId,
        action: 'worktree.remove',
        status: 'success',
        details: { branch: removed.branch, branch_deleted: removed.branchDeleted },
      });
      return { taskId, ...removed };
    },
  };
}
