/**
 * Removing a finished task's git worktree (and, on request, its `task/…` branch).
 * Who may: the task-visibility rule with `task:cancel` (the owner, `admin:system`, or a
 * project policy naming the caller), the same rule that lets them cancel the task;
 * someone else's task is reported as not found and the attempt audited. Only terminal
 * tasks: a running agent may still be writing there. The removal is audited as
 * `resource.deleted`.
 */
import { SwitchboardError } from '../core/domain/errors.ts';
import { isTerminal } from '../core/domain/transitions.ts';
import type { WorktreeAdmin, WorktreeRemoval } from '../core/services/worktree-admin.ts';
import type { AuditSink } from '../core/ports/audit-sink.ts';
import type { TaskVisibility } from '../security/authorization/task-visibility.ts';

export interface WorktreeAdminDeps {
  readonly tasks: Pick<TaskVisibility, 'visibleTask'>;
  /** Removes the task's worktree; undefined when it has none (the integration supplies it). */
  readonly removeWorktree: (
    taskId: string,
    options: { readonly deleteBranch: boolean },
  ) => Promise<Omit<WorktreeRemoval, 'taskId'> | undefined>;
  readonly record: AuditSink;
}

export function createWorktreeAdmin(deps: WorktreeAdminDeps): WorktreeAdmin {
  return {
    async remove(caller, taskId, options) {
      const task = await deps.tasks.visibleTask(caller, 'task:cancel', taskId, { action: 'worktree.remove' });
      if (!isTerminal(task.state)) throw new SwitchboardError('TASK_NOT_TERMINAL', `The task is still ${task.state}`, { state: task.state });
      const removed = await deps.removeWorktree(taskId, options);
      if (removed === undefined) throw new SwitchboardError('WORKTREE_NOT_FOUND', undefined, { task_id: taskId });
      await deps.record({
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
