/**
 * POST /api/auth/login (the one /api/ route without a bearer credential). Logout and
 * the other session routes are in session-routes.ts. Decisions are the SessionService's.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionService } from '../../core/services/session-service.ts';
import { errorView } from '../../wire/error.ts';
import { createdSessionView, createdToWire } from '../../wire/session.ts';
import { deviceRequest, deviceProofBody } from './device-routes.ts';

/** The login route's path: the auth hook lets it through unauthenticated. */
export const LOGIN_PATH = '/api/auth/login';

const tags = ['auth'];
const loginBody = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
    device_id: z.string().min(1).max(200).optional(),
    device_proof: deviceProofBody.optional(),
  })
  .strict();

export function registerAuthRoutes(app: FastifyInstance, sessions: SessionService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    LOGIN_PATH,
    {
      schema: {
        tags,
        summary: 'Log in with a username and password; returns a session',
        description: 'Failures get one answer (401) whether the user exists or not, are audited, and are limited per user and per address (429 with Retry-After).',
        security: [],
        body: loginBody,
        response: { 201: createdSessionView, 400: errorView, 401: errorView, 429: errorView },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const session = await sessions.login({ username: b.username, password: b.password, ip: req.ip, ...deviceRequest(b) });
      return reply.code(201).header('cache-control', 'no-store').send(createdToWire(session));
    },
  );
}
