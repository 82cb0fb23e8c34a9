/** Finding a board task or project for a caller: named by id or key, with `project:read|write` checked on `project:<id>`. */
import type { BoardTask } from '../../core/domain/board.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Project } from '../../core/domain/project.ts';
import type { BoardStore } from '../../core/ports/board-store.ts';
import type { Guard } from '../../core/ports/guard.ts';

export type BoardPermission = 'project:read' | 'project:write' | 'project:delete';

/** The resource a project permission is checked on (null: projects as a whole). */
export const projectResource = (id: number | null) => ({ type: 'project', id: id === null ? null : String(id) });

/** Resolves a project named by id (number or digits) or key. */
export async function findProject(store: BoardStore, ref: number | string): Promise<Project> {
  const found = typeof ref === 'number' || /^\d{1,15}$/.test(ref) ? await store.getProject(Number(ref)) : await store.findProjectByKey(ref.toUpperCase());
  if (found === undefined) throw new SwitchboardError('PROJECT_NOT_FOUND', undefined, { project_id: String(ref) });
  return found;
}

export interface BoardAccess {
  taskFor(caller: Caller, ref: number | string, permission: BoardPermission): Promise<{ task: BoardTask; project: Project }>;
  projectFor(caller: Caller, ref: number | string, permission: BoardPermission): Promise<Project>;
}

export async function findBoardTask(store: BoardStore, ref: number | string): Promise<BoardTask> {
  const found = typeof ref === 'number' || /^\d{1,15}$/.test(ref) ? await store.getTask(Number(ref)) : await store.findTaskByKey(ref.toUpperCase());
  if (found === undefined) throw new SwitchboardError('BOARD_TASK_NOT_FOUND', undefined, { task_id: String(ref) });
  return found;
}

export function createBoardAccess(store: BoardStore, guard: Guard): BoardAccess {
  return {
    async taskFor(caller, ref, permission) {
      await guard.ensure(caller, permission, projectResource(null));
      const task = await findBoardTask(store, ref);
      await guard.ensure(caller, permission, projectResource(task.projectId));
      const project = await store.getProject(task.projectId);
      if (project === undefined) throw new SwitchboardError('BOARD_TASK_NOT_FOUND', undefined, { task_id: String(ref) });
      return { task, project };
    },
    async projectFor(caller, ref, permission) {
      await guard.ensure(caller, permission, projectResource(null));
      const project = await findProject(store, ref);
      await guard.ensure(caller, permission, projectResource(project.id));
      return project;
    },
  };
}
