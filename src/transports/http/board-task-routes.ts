/**
 * /api/tasks: board tasks, their executions and history (REFERENCE.md, Phase 1), and
 * the Phase 1 agent paths. A board task is named by its id or its key (`DEMO-7`).
 */
import type { JsonObject } from '../../core/domain/json.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BoardGitService, BoardService } from '../../core/services/board.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { agentToWire, agentView } from '../../wire/agent.ts';
import {
  activityList,
  activityQuery,
  activityToWire,
  boardTaskList,
  boardTaskParams,
  boardTaskPatchFromWire,
  boardTaskQuery,
  boardTaskToWire,
  boardTaskView,
  createBoardTaskBody,
  executeBody,
  executionList,
  executionToWire,
  executionView,
  updateBoardTaskBody,
  createPrBody,
  diffToWire,
  diffView,
  pullRequestToWire,
  pullRequestView,
} from '../../wire/board.ts';
import { errorView } from '../../wire/error.ts';

const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };
const tags = ['board'];

export function registerBoardTaskRoutes(app: FastifyInstance, board: BoardService, git: BoardGitService, runtime: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/tasks',
    {
      schema: {
        tags,
        summary: 'Board tasks, by status column then position (project:read); filter by project, status, agent or words',
        querystring: boardTaskQuery,
        response: { 200: boardTaskList, ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await board.list(req.caller, {
        limit: q.limit,
        ...(q.project_id !== undefined ? { project: q.project_id } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.assigned_agent_type !== undefined ? { assignedAgentType: q.assigned_agent_type } : {}),
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
      return { tasks: page.items.map(boardTaskToWire), next_cursor: page.nextCursor ?? null };
    },
  );

  r.post(
    '/api/tasks',
    { schema: { tags, summary: 'Create a board task (project:write); its key is <PROJECT_KEY>-<n>', body: createBoardTaskBody, response: { 201: boardTaskView, ...errors } } },
    async (req, reply) => {
      const b = req.body;
      const created = await board.create(req.caller, {
        project: b.project_id,
        title: b.title,
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.status !== undefined ? { status: b.status } : {}),
        ...(b.priority !== undefined ? { priority: b.priority } : {}),
        ...(b.assigned_agent_type !== undefined ? { assignedAgentType: b.assigned_agent_type } : {}),
      });
      return reply.code(201).send(boardTaskToWire(created));
    },
  );

  r.post(
    '/api/tasks/execute',
    {
      schema: {
        tags,
        summary: "Run an agent on a board task (project:write, and the runtime's task:submit and agent:execute) → the execution record",
        description:
          "The agent: `agent_type`, else the task's `assigned_agent_type`, else the project's `default_agent_type`. The runtime task's " +
          'context carries the project (key, name, repo) and the task (key, title, description); its events are at ' +
          '`/api/runtime/tasks/{execution_uuid}/events`. The card follows the execution unless someone moves it meanwhile.',
        body: executeBody,
        response: { 201: executionView, 422: errorView, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const view = await board.execute(req.caller, { task: b.task_id, ...(b.agent_type !== undefined ? { agentType: b.agent_type } : {}), ...(b.prompt !== undefined ? { prompt: b.prompt } : {}), ...(b.context !== undefined ? { context: b.context as JsonObject } : {}) });
      return reply.code(201).send(executionToWire(view));
    },
  );

  r.get(
    '/api/tasks/:id',
    { schema: { tags, summary: 'One board task, by id or key (project:read)', params: boardTaskParams, response: { 200: boardTaskView, ...errors } } },
    async (req) => boardTaskToWire(await board.get(req.caller, req.params.id)),
  );

  r.patch(
    '/api/tasks/:id',
    {
      schema: { tags, summary: 'Edit or move a board task (project:write); a move writes only this card', params: boardTaskParams, body: updateBoardTaskBody, response: { 200: boardTaskView, ...errors } },
    },
    async (req) => boardTaskToWire(await board.update(req.caller, req.params.id, boardTaskPatchFromWire(req.body))),
  );

  r.delete(
    '/api/tasks/:id',
    { schema: { tags, summary: 'Delete a board task (project:write)', params: boardTaskParams, response: { 200: boardTaskView, ...errors } } },
    async (req) => boardTaskToWire(await board.delete(req.caller, req.params.id)),
  );

  r.get(
    '/api/tasks/:id/executions',
    { schema: { tags, summary: "A board task's executions with their live state, oldest first (project:read)", params: boardTaskParams, response: { 200: executionList, ...errors } } },
    async (req) => ({ executions: (await board.executions(req.caller, req.params.id)).map(executionToWire) }),
  );

  r.get(
    '/api/tasks/:id/activity',
    {
      schema: { tags, summary: "A board task's history: created, moved, edited, executed … who and when (project:read)", params: boardTaskParams, querystring: activityQuery, response: { 200: activityList, ...errors } },
    },
    async (req) => ({
      activity: (await board.activity(req.caller, req.params.id, { ...(req.query.after_id !== undefined ? { afterId: req.query.after_id } : {}), limit: req.query.limit })).map(activityToWire),
    }),
  );

  r.get(
    '/api/tasks/:id/diff',
    {
      schema: {
        tags,
        summary: "The task branch's changes against the project's default branch: files with counts, and the unified diff (project:read)",
        params: boardTaskParams,
        response: { 200: diffView, 409: errorView, ...errors },
      },
    },
    async (req) => diffToWire(await git.diff(req.caller, req.params.id)),
  );

  r.post(
    '/api/tasks/:id/create_pr',
    {
      schema: {
        tags,
        summary: "Open a pull request of the task's branch to the default branch (project:write); a second call returns the same one",
        description:
          "Commits what the agent left uncommitted (author Switchboard, message naming the task key), pushes `task/<key>` to the clone's " +
          '`origin`, and opens the pull request through the GitHub API (`GITHUB_TOKEN`, `GITHUB_API_URL`). Errors: `REPO_NOT_CONFIGURED`, ' +
          '`NOTHING_TO_PROPOSE`, `GIT_PUSH_REFUSED`, `GITHUB_TOKEN_MISSING`, `GITHUB_TOKEN_INVALID`, `GITHUB_FORBIDDEN`, `GITHUB_REPO_NOT_FOUND`.',
        params: boardTaskParams,
        body: createPrBody,
        response: { 200: pullRequestView, 409: errorView, 422: errorView, 502: errorView, ...errors },
      },
    },
    async (req) => {
      const body = req.body ?? {};
      const pr = await git.createPullRequest(req.caller, req.params.id, { ...(body.title !== undefined ? { title: body.title } : {}), ...(body.body !== undefined ? { body: body.body } : {}) });
      return pullRequestToWire(pr);
    },
  );

  r.get(
    '/api/agents/available',
    { schema: { tags: ['agents'], summary: 'Phase 1: the agent types that can run now (agent:list)', response: { 200: z.object({ agents: z.array(z.string()) }), ...errors } } },
    async (req) => ({ agents: (await runtime.listAgents(req.caller)).filter((a) => a.available).map((a) => a.agentType) }),
  );

  r.get(
    '/api/agents/types',
    { schema: { tags: ['agents'], summary: 'Phase 1: every configured agent type with its availability (agent:list)', response: { 200: z.object({ types: z.array(agentView) }), ...errors } } },
    async (req) => ({ types: (await runtime.listAgents(req.caller)).map(agentToWire) }),
  );
}
