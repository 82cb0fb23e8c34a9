/** Removal of a task's git worktree (and optionally its branch), as the runtime exposes it. */
import type { Caller } from '../domain/caller.ts';

/** What removing a task's worktree did. */
export interface WorktreeRemoval {
  readonly taskId: string;
  readonly path: string;
  readonly branch: string;
  readonly branchDeleted: boolean;
}

/** Worktrees of finished tasks, removed on request by whoever may cancel the task (the task-visibility rule). */
export interface WorktreeAdmin {
  remove(caller: Caller, taskId: string, options: { readonly deleteBranch: boolean }): Promise<WorktreeRemoval>;
}
