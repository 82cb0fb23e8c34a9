/**
 * Board tasks: reads need `project:read`, changes `project:write`, both on the task's
 * `project:<id>` (so resource policies apply). Every change writes an activity entry
 * (the task's history and the project's change stream) in its transaction, and is
 * audited. Executing a task submits a runtime task through the secure runtime, so the
 * agent permission, the project's submit policies and the runtime's audit apply too.
 */
import type { AuditInput } from '../../core/domain/audit.ts';
import type { BoardTask, BoardTaskPatch } from '../../core/domain/board.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import type { BoardStore } from '../../core/ports/board-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { BoardService } from '../../core/services/board.ts';
import type { Runtime, TaskEngine } from '../../core/services/runtime.ts';
import type { BoardFeed } from './board-feed.ts';
import type { ExecutionFollower } from './execution-follower.ts';
import { createBoardAccess, projectResource } from './board-access.ts';

export interface BoardServiceDeps {
  readonly store: BoardStore;
  readonly guard: Guard;
  readonly clock: Clock;
  readonly runtime: Pick<Runtime, 'submit'>;
  /** Reads an execution's runtime task for the board (whoever started it). */
  readonly engine: Pick<TaskEngine, 'findTask'>;
  readonly feed: BoardFeed;
  readonly follower: ExecutionFollower;
}

const MAX_TITLE = 500;
const MAX_DESCRIPTION = 20_000;

const invalid = (field: string, message: string): SwitchboardError => new SwitchboardError('VALIDATION_FAILED', `${field}: ${message}`, { field });

function checkFields(patch: BoardTaskPatch): void {
  if (patch.title !== undefined && (patch.title.trim().length === 0 || patch.title.length > MAX_TITLE)) throw invalid('title', `1 to ${MAX_TITLE} characters`);
  if (patch.description != null && patch.description.length > MAX_DESCRIPTION) throw invalid('description', `at most ${MAX_DESCRIPTION} characters`);
  if (patch.position !== undefined && !Number.isFinite(patch.position)) throw invalid('position', 'a finite number');
}

/** The prompt of an execution that gives none: the task's title and description. */
const defaultPrompt = (task: BoardTask): string => (task.description ? `${task.title}\n\n${task.description}` : task.title);

export function createBoardService(deps: BoardServiceDeps): BoardService {
  const { store, guard } = deps;

  const { taskFor, projectFor } = createBoardAccess(store, guard);

  const audit = (caller: Caller, eventType: 'resource.modified' | 'resource.deleted', action: string, task: Pick<BoardTask, 'id' | 'key'>, details: JsonObject): AuditInput => ({
    eventType,
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: 'board_task',
    resourceId: String(task.id),
    action,
    status: 'success',
    details: { key: task.key, ...details },
  });

  const views = async (task: BoardTask) =>
    Promise.all((await store.listExecutions(task.id)).map(async (execution) => ({ execution, task: await deps.engine.findTask(execution.executionUuid) })));

  return {
    async list(caller, query) {
      const project = query.project === undefined ? undefined : await projectFor(caller, query.project, 'project:read');
      if (project === undefined) await guard.ensure(caller, 'project:read', projectResource(null));
      const page = await store.listTasks({
        ...(project !== undefined ? { projectId: project.id } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.assignedAgentType !== undefined ? { assignedAgentType: query.assignedAgentType } : {}),
        ...(query.q !== undefined ? { q: query.q } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
      if (project !== undefined) return page;
      // Across projects: only those the caller may read (a policy may close one).
      const readable = new Map<number, boolean>();
      for (const t of page.items) {
        if (!readable.has(t.projectId)) readable.set(t.projectId, (await guard.decide(caller, 'project:read', projectResource(t.projectId))).allowed);
      }
      return { ...page, items: page.items.filter((t) => readable.get(t.projectId) === true) };
    },

    async get(caller, ref) {
      return (await taskFor(caller, ref, 'project:read')).task;
    },

    async create(caller, input) {
      const project = await projectFor(caller, input.project, 'project:write');
      checkFields({ title: input.title, ...(input.description !== undefined ? { description: input.description } : {}) });
      const now = deps.clock.now();
      const created = await store.createTask(
        {
          projectId: project.id,
          title: input.title.trim(),
          description: input.description ?? null,
          status: input.status ?? 'todo',
          priority: input.priority ?? 'medium',
          assignedAgentType: input.assignedAgentType ?? null,
          createdBy: caller.principal.id,
        },
        { kind: 'created', actorId: caller.principal.id, details: { title: input.title.trim(), status: input.status ?? 'todo' } },
        { records: (t) => [audit(caller, 'resource.modified', 'board_task.create', t, { project_id: project.id })], now },
      );
      deps.feed.notify(project.id);
      return created;
    },

    async update(caller, ref, patch) {
      const { task } = await taskFor(caller, ref, 'project:write');
      checkFields(patch);
      const now = deps.clock.now();
      const moved = patch.status !== undefined && patch.status !== task.status;
      const fields = Object.keys(patch).filter((k) => k !== 'status' && k !== 'position');
      const activity = moved
        ? { kind: 'moved' as const, actorId: caller.principal.id, details: { from: task.status, to: patch.status ?? task.status, ...(fields.length > 0 ? { fields } : {}) } }
        : patch.position !== undefined && fields.length === 0
          ? { kind: 'moved' as const, actorId: caller.principal.id, details: { from: task.status, to: task.status } }
          : { kind: 'edited' as const, actorId: caller.principal.id, details: { fields } };
      const updated = await store.updateTask(task.id, { ...patch, ...(moved ? { statusSetAt: now } : {}) }, activity, {
        records: [audit(caller, 'resource.modified', moved ? 'board_task.move' : 'board_task.update', task, { fields: Object.keys(patch).sort() })],
        now,
      });
      if (updated === undefined) throw new SwitchboardError('BOARD_TASK_NOT_FOUND', undefined, { task_id: String(ref) });
      deps.feed.notify(updated.projectId);
      return updated;
    },

    async delete(caller, ref) {
      const { task } = await taskFor(caller, ref, 'project:write');
      const deleted = await store.deleteTask(task.id, { kind: 'deleted', actorId: caller.principal.id, details: { title: task.title } }, {
        records: [audit(caller, 'resource.deleted', 'board_task.delete', task, {})],
        now: deps.clock.now(),
      });
      if (deleted === undefined) throw new SwitchboardError('BOARD_TASK_NOT_FOUND', undefined, { task_id: String(ref) });
      deps.feed.notify(deleted.projectId);
      return deleted;
    },

    async activity(caller, ref, options) {
      const { task } = await taskFor(caller, ref, 'project:read');
      return store.listActivity({ projectId: task.projectId, boardTaskId: task.id, ...(options.afterId !== undefined ? { afterId: options.afterId } : {}), limit: options.limit });
    },

    async execute(caller, input) {
      const { task, project } = await taskFor(caller, input.task, 'project:write');
      const agentType = input.agentType ?? task.assignedAgentType ?? project.defaultAgentType;
      if (agentType === null) throw invalid('agent_type', "no agent: name one, assign one to the task, or set the project's default_agent_type");
      const prompt = input.prompt ?? defaultPrompt(task);
      const context: JsonObject = {
        ...input.context,
        project: { id: project.id, key: project.key, name: project.name, repo: project.githubRepoUrl, repo_owner: project.githubRepoOwner, repo_name: project.githubRepoName },
        task: { id: task.id, key: task.key, title: task.title, description: task.description },
      };
      // The secure runtime checks task:submit on project:<id> and agent:execute, and audits the submit.
      const submitted = await deps.runtime.submit(caller, {
        agentType,
        prompt,
        context,
        projectId: String(project.id),
        boardTaskId: String(task.id),
        ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      });
      const runtimeTask = submitted.task;
      const repeated = submitted.created ? undefined : await store.findExecutionByUuid(runtimeTask.id);
      if (repeated !== undefined) return { execution: repeated, task: runtimeTask };
      const execution = await store.addExecution(
        { boardTaskId: task.id, executionUuid: runtimeTask.id, agentType, prompt, userId: caller.principal.id, sessionId: runtimeTask.sessionId, startedAt: runtimeTask.createdAt },
        { kind: 'executed', actorId: caller.principal.id, details: { execution_uuid: runtimeTask.id, agent_type: agentType } },
        { records: [], now: deps.clock.now() },
      );
      deps.follower.follow(execution);
      deps.feed.notify(project.id);
      return { execution, task: runtimeTask };
    },

    async executions(caller, ref) {
      const { task } = await taskFor(caller, ref, 'project:read');
      return views(task);
    },

    async projectActivity(caller, ref, options) {
      const project = await projectFor(caller, ref, 'project:read');
      const items = await store.listActivity({ projectId: project.id, ...(options.afterId !== undefined ? { afterId: options.afterId } : {}), limit: options.limit });
      return { project, items };
    },

    async streamProject(caller, ref, options) {
      const project = await projectFor(caller, ref, 'project:read');
      return deps.feed.follow(project.id, options.afterId ?? 0, options.signal);
    },
  };
}
