/**
 * Who may see and act on a task: one rule for the secure runtime and every service
 * that acts on tasks (worktree removal, and the portal's board next).
 *
 * A caller holding the permission acts on their own tasks; `admin:system` on everyone's;
 * and on someone else's task of project P when a resource policy on `project:P` names
 * the caller (allowed users or roles) and allows the permission asked for (`task:view`
 * to read, stream and list; `task:cancel` to cancel and clean up; answering stays with
 * the owner and `admin:system`). Otherwise the task is reported as not found (its
 * existence is not revealed) and the attempt is audited as a denial.
 */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { Permission } from '../../core/domain/permissions.ts';
import type { Task } from '../../core/domain/task.ts';
import type { Guard, RefusalText } from '../../core/ports/guard.ts';

/** The permissions a project policy can open to other users' tasks (see the rule above). */
const PROJECT_OPENS: readonly Permission[] = ['task:view', 'task:cancel'];

export interface TaskVisibility {
  /** The task, if the caller holds `permission` on it and may see it; else an audited denial (not found for others' tasks). */
  visibleTask(caller: Caller, permission: Permission, taskId: string, text?: RefusalText): Promise<Task>;
  /** True when the caller may list everyone's tasks (of `projectId`, when given), not only their own. */
  listsAll(caller: Caller, projectId: string | undefined): Promise<boolean>;
}

/** Built only when thrown: an Error captures a stack, too dear to make on every read of a task. */
const notFound = (taskId: string): SwitchboardError => new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });

export function createTaskVisibility(guard: Guard, findTask: (taskId: string) => Promise<Task | undefined>): TaskVisibility {
  const seesAll = async (caller: Caller): Promise<boolean> => (await guard.decide(caller, 'admin:system')).allowed;

  /** True when a policy on `project:<projectId>` names the caller and allows `permission`. */
  async function projectAllows(caller: Caller, permission: Permission, projectId: string | null | undefined): Promise<boolean> {
    // A policy restricting who may submit to a project must not let them answer others' tasks.
    if (projectId === null || projectId === undefined || !PROJECT_OPENS.includes(permission)) return false;
    const decision = await guard.decide(caller, permission, { type: 'project', id: projectId });
    return decision.allowed && decision.namedByPolicy === true;
  }

  return {
    async visibleTask(caller, permission, taskId, text = {}) {
      await guard.ensure(caller, permission, { type: 'task', id: taskId }, text);
      const task = await findTask(taskId);
      if (task === undefined) throw notFound(taskId);
      if (task.ownerId !== caller.principal.id && !(await seesAll(caller)) && !(await projectAllows(caller, permission, task.projectId))) {
        await guard.refuse(caller, { ...text, permission, resource: { type: 'task', id: taskId }, reason: 'not the owner of the task' }, notFound(taskId));
      }
      return task;
    },

    async listsAll(caller, projectId) {
      return (await seesAll(caller)) || (await projectAllows(caller, 'task:view', projectId));
    },
  };
}
