/**
 * Projects: authorize (`project:read|write|delete`, on `project:<id>` so resource
 * policies apply) → validate → act → audit (`resource.modified` / `resource.deleted`,
 * resource type `project`, in the write's transaction). A project is named by its id
 * or its key. Deleting one with tasks needs `force`, which cancels their running
 * executions first.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { AuditInput } from '../../core/domain/audit.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import { PROJECT_KEY, parseGithubRepoUrl, type Project, type ProjectFields } from '../../core/domain/project.ts';
import type { BoardStore, NewProject } from '../../core/ports/board-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { Repositories } from '../../core/ports/repositories.ts';
import type { ProjectService } from '../../core/services/board.ts';
import type { TaskEngine } from '../../core/services/runtime.ts';
import { isTerminal } from '../../core/domain/transitions.ts';
import type { BoardFeed } from './board-feed.ts';
import { createBoardAccess, projectResource } from './board-access.ts';

export interface ProjectServiceDeps {
  readonly store: BoardStore;
  readonly guard: Guard;
  readonly clock: Clock;
  readonly repositories: Repositories;
  /** The server's data dir: a repo_path inside it is refused (worktrees and secrets live there). */
  readonly dataDir: string;
  /** Reads and cancels the runtime tasks of a project's executions (before a forced delete; project:delete was checked). */
  readonly engine: Pick<TaskEngine, 'findTask' | 'cancel'>;
  readonly feed: BoardFeed;
}

const invalid = (field: string, message: string): SwitchboardError => new SwitchboardError('VALIDATION_FAILED', `${field}: ${message}`, { field });

export function createProjectService(deps: ProjectServiceDeps): ProjectService {
  const { store, guard } = deps;

  async function checkRepoPath(path: string | null | undefined): Promise<void> {
    if (path === null || path === undefined) return;
    if (!isAbsolute(path)) throw new SwitchboardError('REPO_PATH_INVALID', 'repo_path: must be an absolute path', { field: 'repo_path' });
    const inData = relative(resolve(deps.dataDir), resolve(path));
    if (inData === '' || (!inData.startsWith('..') && !isAbsolute(inData))) {
      throw new SwitchboardError('REPO_PATH_INVALID', "repo_path: must not lie inside the server's data dir", { field: 'repo_path' });
    }
    if (!(await deps.repositories.isRepository(path))) throw new SwitchboardError('REPO_PATH_INVALID', 'repo_path: not a git repository', { field: 'repo_path' });
  }

  /** Validates the fields a caller gave and derives the GitHub owner and name. */
  async function normalize(fields: Partial<ProjectFields>): Promise<Partial<NewProject>> {
    const out: { -readonly [K in keyof NewProject]?: NewProject[K] } = { ...fields };
    if (fields.name !== undefined && (fields.name.trim().length === 0 || fields.name.length > 255)) throw invalid('name', '1 to 255 characters');
    if (fields.key !== undefined && !PROJECT_KEY.test(fields.key)) throw invalid('key', '1 to 50 upper-case letters or digits, e.g. DEMO');
    if (fields.githubRepoUrl !== undefined) {
      if (fields.githubRepoUrl === null || fields.githubRepoUrl === '') {
        out.githubRepoUrl = null;
        out.githubRepoOwner = null;
        out.githubRepoName = null;
      } else {
        const repo = parseGithubRepoUrl(fields.githubRepoUrl);
        if (repo === undefined) throw invalid('github_repo_url', 'a GitHub repository URL such as https://github.com/owner/repo or git@github.com:owner/repo.git');
        out.githubRepoOwner = repo.owner;
        out.githubRepoName = repo.name;
      }
    }
    await checkRepoPath(fields.repoPath);
    return out;
  }

  const record = (caller: Caller, eventType: 'resource.modified' | 'resource.deleted', action: string, project: Project, details: JsonObject): AuditInput => ({
    eventType,
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: 'project',
    resourceId: String(project.id),
    action,
    status: 'success',
    details: { key: project.key, ...details },
  });

  const visible = createBoardAccess(store, guard).projectFor;

  return {
    async list(caller) {
      await guard.ensure(caller, 'project:read', projectResource(null));
      const all = await store.listProjects();
      const allowed = await Promise.all(all.map(async (p) => (await guard.decide(caller, 'project:read', projectResource(p.id))).allowed));
      return all.filter((_, i) => allowed[i]);
    },

    get: (caller, ref) => visible(caller, ref, 'project:read'),

    async create(caller, input) {
      await guard.ensure(caller, 'project:write', projectResource(null));
      const fields = await normalize(input);
      const repoPath = input.repoPath ?? null;
      const defaultBranch = input.defaultBranch ?? (repoPath === null ? null : await deps.repositories.defaultBranch(repoPath));
      const project: NewProject = {
        name: input.name.trim(),
        key: input.key,
        description: input.description ?? null,
        status: input.status ?? 'active',
        githubRepoUrl: fields.githubRepoUrl ?? null,
        githubRepoOwner: fields.githubRepoOwner ?? null,
        githubRepoName: fields.githubRepoName ?? null,
        telegramChatId: input.telegramChatId ?? null,
        repoPath,
        defaultBranch,
        defaultAgentType: input.defaultAgentType ?? null,
        createdBy: caller.principal.id,
      };
      const records = (p: Project) => [record(caller, 'resource.modified', 'project.create', p, { name: p.name })];
      const created = await store.createProject(project, { records, now: deps.clock.now() });
      if (created === undefined) throw new SwitchboardError('PROJECT_KEY_TAKEN', undefined, { key: input.key });
      return created;
    },

    async update(caller, ref, patch) {
      const before = await visible(caller, ref, 'project:write');
      const fields = await normalize(patch);
      const now = deps.clock.now();
      const changed = Object.keys(patch).sort();
      const after = await store.updateProject(before.id, fields, { records: [record(caller, 'resource.modified', 'project.update', before, { fields: changed })], now });
      if (after === 'key_taken') throw new SwitchboardError('PROJECT_KEY_TAKEN', undefined, { key: patch.key ?? null });
      if (after === undefined) throw new SwitchboardError('PROJECT_NOT_FOUND', undefined, { project_id: String(ref) });
      deps.feed.notify(after.id);
      return after;
    },

    async delete(caller, ref, options) {
      const project = await visible(caller, ref, 'project:delete');
      const count = await store.countTasks(project.id);
      if (count > 0 && !options.force) throw new SwitchboardError('PROJECT_HAS_TASKS', `The project has ${count} task(s); delete with force=true`, { task_count: count });
      if (count > 0) {
        for (const e of await store.projectExecutions(project.id)) {
          const run = await deps.engine.findTask(e.executionUuid);
          if (run !== undefined && !isTerminal(run.state)) await deps.engine.cancel(caller, run.id).catch(() => undefined);
        }
      }
      const deleted = await store.deleteProject(project.id, { records: [record(caller, 'resource.deleted', 'project.delete', project, { task_count: count })], now: deps.clock.now() });
      if (deleted === undefined) throw new SwitchboardError('PROJECT_NOT_FOUND', undefined, { project_id: String(ref) });
      deps.feed.notify(project.id);
      return deleted;
    },
  };
}
