/** The BoardGit port: the git work behind a board task's worktree, diff and pull request. */
import type { BoardDiff } from '../domain/board.ts';

export interface BoardGit {
  /** Creates `branch` from `base` checked out at `worktreePath` (a worktree of `repoPath`), or reuses it when present. */
  ensureWorktree(repoPath: string, worktreePath: string, branch: string, base: string): Promise<void>;
  /** The worktree's changes (committed on its branch since `base`, and uncommitted, untracked included). */
  diff(worktreePath: string, base: string, options: { readonly maxBytes: number }): Promise<Omit<BoardDiff, 'taskId' | 'base' | 'branch'>>;
  /** Commits everything left uncommitted, as Switchboard; false when there was nothing. */
  commitAll(worktreePath: string, message: string): Promise<boolean>;
  /** Commits on `branch` that `base` lacks. */
  commitsAhead(worktreePath: string, branch: string, base: string): Promise<number>;
  /** Pushes `branch` to the repository's `origin` (credentials only for that one call, never stored). */
  push(worktreePath: string, branch: string): Promise<void>;
}

/** Opens a pull request on GitHub, or returns the one already open for `head`. */
export interface PullRequestOpener {
  /** False once the pull request was closed, merged or deleted. */
  isOpen(input: { readonly owner: string; readonly repo: string; readonly number: number }): Promise<boolean>;
  open(input: {
    readonly owner: string;
    readonly repo: string;
    readonly head: string;
    readonly base: string;
    readonly title: string;
    readonly body: string;
  }): Promise<{ readonly number: number; readonly url: string; readonly created: boolean }>;
}
