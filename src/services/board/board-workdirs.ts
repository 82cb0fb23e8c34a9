/**
 * Where a board task's executions work: one git worktree per board task, of its
 * project's clone, on branch `task/<key lowercased>` (REFERENCE.md), under
 * `<data dir>/board-worktrees/<task id>`, reused by every later execution of the task.
 * Only runtime tasks tied to a board task get one (the secure runtime checked that tie).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardTask } from '../../core/domain/board.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import type { Project } from '../../core/domain/project.ts';
import type { BoardGit } from '../../core/ports/board-git.ts';
import type { BoardStore } from '../../core/ports/board-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { TaskStore } from '../../core/ports/task-store.ts';

export interface BoardWorkdirs {
  /** The worktree of the board task `taskId` (a runtime task) belongs to; undefined when it has none (no board task, no repository). */
  forRuntimeTask(taskId: string): Promise<{ readonly cwd: string; readonly metadata: JsonObject } | undefined>;
  /** Where the board task's worktree is (whether or not it exists yet). */
  pathOf(task: BoardTask): string;
  /** The branch the board task's work is on. */
  branchOf(task: BoardTask): string;
  /** The base its branch starts from and is compared with. */
  baseOf(project: Project): string;
  /** True when the board task's worktree holds changes against its base, committed or not (a card with none goes to done, not to review). */
  leftChanges(boardTaskId: number): Promise<boolean>;
}

export function createBoardWorkdirs(deps: {
  readonly board: BoardStore;
  readonly tasks: Pick<TaskStore, 'findTask'>;
  readonly git: BoardGit;
  readonly dataDir: string;
  readonly clock: Clock;
}): BoardWorkdirs {
  const pathOf = (task: BoardTask): string => join(deps.dataDir, 'board-worktrees', String(task.id));
  const branchOf = (task: BoardTask): string => task.githubBranchName ?? `task/${task.key.toLowerCase()}`;
  const baseOf = (project: Project): string => project.defaultBranch ?? 'HEAD';
  return {
    pathOf,
    branchOf,
    baseOf,
    async leftChanges(boardTaskId) {
      const task = await deps.board.getTask(boardTaskId);
      const project = task === undefined ? undefined : await deps.board.getProject(task.projectId);
      if (task === undefined || project?.repoPath == null || !existsSync(pathOf(task))) return false;
      return (await deps.git.diff(pathOf(task), baseOf(project), { maxBytes: 1 })).files.length > 0;
    },

    async forRuntimeTask(taskId) {
      const run = await deps.tasks.findTask(taskId);
      if (run?.boardTaskId == null || !/^\d{1,15}$/.test(run.boardTaskId)) return undefined;
      const task = await deps.board.getTask(Number(run.boardTaskId));
      const project = task === undefined ? undefined : await deps.board.getProject(task.projectId);
      if (task === undefined || project?.repoPath == null) return undefined;
      const path = pathOf(task);
      const branch = branchOf(task);
      await deps.git.ensureWorktree(project.repoPath, path, branch, baseOf(project));
      if (task.githubBranchName === null) await deps.board.setBranch(task.id, branch, deps.clock.now());
      return { cwd: path, metadata: { worktree: path, branch, board_task: task.key } };
    },
  };
}
