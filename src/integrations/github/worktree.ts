/**
 * Git worktrees for tasks: `task/<id-prefix>` branched from HEAD of a local
 * repository, checked out under `<root>/<task-id>`; kept after the task for
 * review, removed on request. Git is called with an argv array (execFile, no
 * shell), `--` before paths, a minimal environment (no GIT_* or hook variables
 * from the server's), and values that could pass for options are refused.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { shortId } from '../../core/domain/task.ts';

export interface Worktree {
  readonly path: string;
  readonly branch: string;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const GIT_ENV = ['PATH', 'HOME', 'LANG', 'TMPDIR'];
const GIT_TIMEOUT_MS = 60_000;

/** Runs git in `repo`; rejects with git's stderr on a non-zero exit. */
export function git(repo: string, args: readonly string[]): Promise<string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const k of GIT_ENV) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return new Promise((res, rej) => {
    execFile('git', ['-C', repo, ...args], { env, timeout: GIT_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`git ${args[0] ?? ''} failed: ${String(stderr).trim().slice(-500) || err.message}`));
      else res(String(stdout));
    });
  });
}

function checkPath(label: string, p: string): string {
  if (p.startsWith('-')) throw new Error(`${label} must not start with "-"`);
  return resolve(p);
}

/** The branch for a task: `task/<last 8 characters of the id>`, or the whole id when that branch exists. */
async function branchFor(repo: string, taskId: string): Promise<string> {
  const short = `task/${shortId(taskId)}`;
  const exists = await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${short}`]).then(
    () => true,
    () => false,
  );
  return exists ? `task/${taskId}` : short;
}

/**
 * Creates (or, for a retried task, reuses) the worktree of `taskId` in `root`.
 * `repo` must be a local git repository; `root` is created if missing.
 */
export async function createTaskWorktree(repo: string, root: string, taskId: string): Promise<Worktree> {
  if (!SAFE_NAME.test(taskId)) throw new Error('task id is not usable as a branch or folder name');
  const repoPath = checkPath('repo', repo);
  const path = join(checkPath('worktree root', root), taskId);
  if (existsSync(path)) {
    const branch = (await git(path, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
    return { path, branch };
  }
  await mkdir(root, { recursive: true, mode: 0o700 });
  const branch = await branchFor(repoPath, taskId);
  if (branch.startsWith('-')) throw new Error('branch must not start with "-"');
  await git(repoPath, ['worktree', 'add', '-b', branch, '--', path, 'HEAD']);
  return { path, branch };
}

/** Removes a task's worktree (even with local changes); the branch is deleted too when `deleteBranch`. */
export async function removeTaskWorktree(repo: string, worktree: Worktree, options: { deleteBranch?: boolean } = {}): Promise<void> {
  const repoPath = checkPath('repo', repo);
  const path = checkPath('worktree', worktree.path);
  await git(repoPath, ['worktree', 'remove', '--force', '--', path]);
  if (options.deleteBranch) {
    if (!worktree.branch.startsWith('task/')) throw new Error('only task/ branches are deleted');
    await git(repoPath, ['branch', '-D', '--', worktree.branch]);
  }
}

/**
 * Removes the worktree of `taskId` under `root`, finding its repository and branch
 * from git itself; undefined when there is no such worktree. With `deleteBranch`,
 * the `task/…` branch goes too.
 */
export async function removeTaskWorktreeById(
  root: string,
  taskId: string,
  options: { deleteBranch?: boolean } = {},
): Promise<{ path: string; branch: string; branchDeleted: boolean } | undefined> {
  if (!SAFE_NAME.test(taskId)) return undefined;
  const path = join(checkPath('worktree root', root), taskId);
  if (!existsSync(join(path, '.git'))) return undefined;
  const branch = (await git(path, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  const commonDir = (await git(path, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
  const repo = basename(commonDir) === '.git' ? dirname(commonDir) : commonDir;
  const deleteBranch = options.deleteBranch === true && branch.startsWith('task/');
  await removeTaskWorktree(repo, { path, branch }, { deleteBranch });
  return { path, branch, branchDeleted: deleteBranch };
}
