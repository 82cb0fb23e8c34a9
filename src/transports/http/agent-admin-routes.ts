/**
 * /api/runtime/agents/{id}: an agent's definition (env: references, never resolved
 * secrets), create/replace, delete and an availability check; and removing a
 * finished task's worktree. Every decision is the services'; this file maps HTTP.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentAdmin } from '../../core/services/agent-admin.ts';
import type { WorktreeAdmin } from '../../core/services/worktree-admin.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import { taskIdParams } from '../../wire/task.ts';
import { errorView } from '../../wire/error.ts';
import { agentDefinitionToWire, agentDefinitionView, worktreeView } from '../../wire/agent.ts';

const agentParams = z.object({ agent_id: z.string().min(1).max(100) });
const errors = { 401: errorView, 403: errorView, 404: errorView };
const tags = ['agents'];

export function registerAgentAdminRoutes(app: FastifyInstance, agents: AgentAdmin): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const path = '/api/runtime/agents/:agent_id';

  r.get(
    path,
    { schema: { tags, summary: "An agent's definition and availability (needs agent:configure)", params: agentParams, response: { 200: agentDefinitionView, ...errors } } },
    async (req) => agentDefinitionToWire(await agents.get(req.caller, req.params.agent_id)),
  );

  r.put(
    path,
    {
      schema: {
        tags,
        summary: 'Create or replace a database-defined agent (needs agent:configure; the config file schema; secrets as env: references)',
        params: agentParams,
        body: z.record(z.string(), z.unknown()),
        response: { 200: agentDefinitionView, 201: agentDefinitionView, 409: errorView, 422: errorView, ...errors },
      },
    },
    async (req, reply) => {
      const { agent, created } = await agents.put(req.caller, req.params.agent_id, req.body as JsonObject);
      return reply.code(created ? 201 : 200).send(agentDefinitionToWire(agent));
    },
  );

  r.delete(
    path,
    {
      schema: {
        tags,
        summary: 'Delete a database-defined agent (needs agent:configure; file-defined agents are read-only: 409)',
        params: agentParams,
        response: { 200: agentDefinitionView, 409: errorView, ...errors },
      },
    },
    async (req) => agentDefinitionToWire(await agents.remove(req.caller, req.params.agent_id)),
  );

  r.post(
    `${path}/check`,
    {
      schema: {
        tags,
        summary: 'Check now whether the agent can run (key and endpoint, binary on PATH, …) and return the result (needs agent:configure)',
        params: agentParams,
        response: { 200: agentDefinitionView, ...errors },
      },
    },
    async (req) => agentDefinitionToWire(await agents.check(req.caller, req.params.agent_id)),
  );
}

export function registerWorktreeRoutes(app: FastifyInstance, worktrees: WorktreeAdmin): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/api/runtime/tasks/:task_id/worktree',
    {
      schema: {
        tags: ['tasks'],
        summary: "Remove a finished task's git worktree (the task's owner or admin:system); ?delete_branch=true deletes its task/ branch too",
        params: taskIdParams,
        querystring: z.object({ delete_branch: z.enum(['true', 'false']).optional() }),
        response: { 200: worktreeView, 409: errorView, ...errors },
      },
    },
    async (req) => {
      const removed = await worktrees.remove(req.caller, req.params.task_id, { deleteBranch: req.query.delete_branch === 'true' });
      return { task_id: removed.taskId, branch: removed.branch, branch_deleted: removed.branchDeleted, removed: true as const };
    },
  );
}
