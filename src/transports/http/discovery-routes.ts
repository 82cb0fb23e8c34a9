/** Agents, skills, health and metrics. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Runtime } from '../../core/services/runtime.ts';
import { agentToWire, agentView } from '../../wire/agent.ts';
import { errorView } from '../../wire/error.ts';
import { skillToWire, skillView } from '../../wire/skill.ts';

export interface DiscoveryOptions {
  /** Database and node status for /health. */
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** Prometheus exposition text and its content type. */
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
}

export function registerDiscoveryRoutes(app: FastifyInstance, runtime: Runtime, options: DiscoveryOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const errors = { 401: errorView, 403: errorView };

  r.get(
    '/api/runtime/agents',
    { schema: { tags: ['discovery'], summary: 'Configured agents and whether each can run now', response: { 200: z.array(agentView), ...errors } } },
    async (req) => (await runtime.listAgents(req.caller)).map(agentToWire),
  );

  r.get(
    '/api/runtime/skills',
    { schema: { tags: ['discovery'], summary: 'Installed skills and the permissions they need', response: { 200: z.array(skillView), ...errors } } },
    async (req) => (await runtime.listSkills(req.caller)).map(skillToWire),
  );

  r.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Liveness and database reachability (503 when the database is unreachable)',
        response: { 200: z.object({ status: z.string() }).passthrough(), 503: z.object({ status: z.string() }).passthrough() },
      },
    },
    async (_req, reply) => {
      const h = await options.health();
      return reply.code(h.ok ? 200 : 503).send({ status: h.ok ? 'ok' : 'unavailable', ...h.details });
    },
  );

  r.get(
    '/metrics',
    { config: { public: true }, schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } },
    async (_req, reply) => {
      const m = await options.metrics();
      return reply.type(m.contentType).send(m.body);
    },
  );
}
