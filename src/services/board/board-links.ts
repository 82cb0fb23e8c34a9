/** The check behind a runtime submit that names a board task: it must exist, match the project, and be the caller's to change. */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { BoardLinkCheck } from '../../core/ports/board-links.ts';
import type { BoardStore } from '../../core/ports/board-store.ts';
import type { Guard } from '../../core/ports/guard.ts';
import { projectResource } from './board-access.ts';

export function createBoardLinks(store: Pick<BoardStore, 'getTask'>, guard: Guard): BoardLinkCheck {
  return async (caller, input) => {
    const id = input.boardTaskId;
    if (id === undefined) return;
    const task = /^\d{1,15}$/.test(id) ? await store.getTask(Number(id)) : undefined;
    if (task === undefined) throw new SwitchboardError('BOARD_TASK_NOT_FOUND', undefined, { task_id: id });
    if (input.projectId !== undefined && input.projectId !== String(task.projectId)) {
      throw new SwitchboardError('VALIDATION_FAILED', `task_id: board task ${task.key} is not in project ${input.projectId}`, { field: 'task_id' });
    }
    await guard.ensure(caller, 'project:write', projectResource(task.projectId), { action: 'task:submit', why: `running an agent on ${task.key}` });
  };
}
