/**
 * A board task's branch as a reviewer sees it: the diff against the project's default
 * branch (`project:read`), and a pull request (`project:write`): what the agent left
 * uncommitted is committed (as Switchboard, naming the task key), the branch pushed to
 * the clone's `origin`, and the pull request opened through the GitHub API, or the
 * open one returned (idempotent). Audited as `resource.modified` with action
 * `board_task.pull_request`; the activity says `pr_opened`.
 */
import { existsSync } from 'node:fs';
import type { Caller } from '../../core/domain/caller.ts';
import type { PullRequest } from '../../core/domain/board.ts';
import type { Project } from '../../core/domain/project.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { BoardGit, PullRequestOpener } from '../../core/ports/board-git.ts';
import type { BoardStore } from '../../core/ports/board-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { BoardGitService } from '../../core/services/board.ts';
import { createBoardAccess } from './board-access.ts';
import type { BoardFeed } from './board-feed.ts';
import type { BoardWorkdirs } from './board-workdirs.ts';

/** Diffs are cut at this size (the flag says so). */
const MAX_DIFF_BYTES = 512 * 1024;

export interface BoardGitServiceDeps {
  readonly store: BoardStore;
  readonly guard: Guard;
  readonly clock: Clock;
  readonly git: BoardGit;
  readonly workdirs: BoardWorkdirs;
  /** Absent when no GitHub token is configured. */
  readonly pulls: PullRequestOpener | undefined;
  readonly feed: BoardFeed;
}

export function createBoardGitService(deps: BoardGitServiceDeps): BoardGitService {
  const access = createBoardAccess(deps.store, deps.guard);

  /** The task's worktree, or the reason there is nothing to look at. */
  function worktreeOf(project: { repoPath: string | null }, task: Parameters<BoardWorkdirs['pathOf']>[0]): string {
    if (project.repoPath === null) throw new SwitchboardError('REPO_NOT_CONFIGURED', 'The project has no repo_path', { project_id: task.projectId });
    const path = deps.workdirs.pathOf(task);
    if (!existsSync(path)) throw new SwitchboardError('NOTHING_TO_PROPOSE', `${task.key} has no work yet: execute it on a command agent first`, { task_id: task.id });
    return path;
  }

  const queues = new Map<number, Promise<unknown>>();
  function serialized<T>(key: number, work: () => Promise<T>): Promise<T> {
    const run = (queues.get(key) ?? Promise.resolve()).then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return run;
  }

  const service: BoardGitService = {
    async diff(caller: Caller, ref) {
      const { task, project } = await access.taskFor(caller, ref, 'project:read');
      const path = worktreeOf(project, task);
      const base = deps.workdirs.baseOf(project);
      const diff = await deps.git.diff(path, base, { maxBytes: MAX_DIFF_BYTES });
      return { taskId: task.id, base, branch: deps.workdirs.branchOf(task), ...diff };
    },

    async createPullRequest(caller, ref, input) {
      const { task, project } = await access.taskFor(caller, ref, 'project:write');
      // One at a time per task on this node: two commits in one worktree would collide on git's index lock.
      return serialized(task.id, () => openPullRequest(caller, task.id, project, input));
    },
  };

  async function openPullRequest(caller: Caller, taskId: number, project: Project, input: { readonly title?: string; readonly body?: string }): Promise<PullRequest> {
    // Read again inside the queue: a call just before this one may have stored the pull request.
    const task = await deps.store.getTask(taskId);
    if (task === undefined) throw new SwitchboardError('BOARD_TASK_NOT_FOUND', undefined, { task_id: taskId });
    const branch = deps.workdirs.branchOf(task);
    if (project.githubRepoOwner === null || project.githubRepoName === null) {
      throw new SwitchboardError('REPO_NOT_CONFIGURED', 'The project has no github_repo_url', { project_id: project.id });
    }
    const repo = { owner: project.githubRepoOwner, repo: project.githubRepoName };
    const stored = task.githubPrUrl !== null && task.githubPrNumber !== null ? { number: task.githubPrNumber, url: task.githubPrUrl } : undefined;
    // The stored pull request while it is open; once closed or merged, new work gets a new one.
    if (stored !== undefined && (deps.pulls === undefined || (await deps.pulls.isOpen({ ...repo, number: stored.number })))) {
      return { ...stored, branch, created: false };
    }
    if (project.repoPath === null) throw new SwitchboardError('REPO_NOT_CONFIGURED', 'The project has no repo_path', { project_id: project.id });
    if (deps.pulls === undefined) throw new SwitchboardError('GITHUB_TOKEN_MISSING', 'No GITHUB_TOKEN is set on the server', {});
    const path = worktreeOf(project, task);
    const base = deps.workdirs.baseOf(project);
    await deps.git.commitAll(path, `${task.key}: ${task.title}`);
    if ((await deps.git.commitsAhead(path, branch, base)) === 0) {
      throw new SwitchboardError('NOTHING_TO_PROPOSE', `${branch} has no changes against ${base}`, { task_id: task.id });
    }
    await deps.git.push(path, branch);
    const pr = await deps.pulls.open({
      ...repo,
      head: branch,
      base,
      title: input.title ?? `${task.key}: ${task.title}`,
      body: input.body ?? `${task.description ?? ''}\n\nOpened by Switchboard for ${task.key}.`.trim(),
    });
    const now = deps.clock.now();
    await deps.store.setPullRequest(task.id, { url: pr.url, number: pr.number, branch }, { kind: 'pr_opened', actorId: caller.principal.id, details: { number: pr.number, url: pr.url, branch, created: pr.created } }, {
      records: [
        {
          eventType: 'resource.modified',
          userId: caller.principal.id,
          sessionId: caller.sessionId ?? null,
          resourceType: 'board_task',
          resourceId: String(task.id),
          action: 'board_task.pull_request',
          status: 'success',
          details: { key: task.key, number: pr.number, url: pr.url, branch, created: pr.created },
        },
      ],
      now,
    });
    deps.feed.notify(project.id);
    return { number: pr.number, url: pr.url, branch, created: pr.created };
  }

  return service;
}
