/**
 * POST /api/auth/login (the one /api/ route without a bearer credential) and
 * DELETE /api/runtime/sessions/{session_id} (logout). Decisions are the SessionService's.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CreatedSession, SessionInfo, SessionService } from '../../core/identity.ts';
import { errorView } from './wire.ts';

/** The login route's path: the auth hook lets it through unauthenticated. */
export const LOGIN_PATH = '/api/auth/login';

const tags = ['auth'];
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const loginBody = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
    device_id: z.string().min(1).max(200).optional(),
  })
  .strict();

const sessionView = z.object({
  session_id: z.string().describe('The public id of the session (audit, logout); not a credential'),
  user_id: z.string(),
  device_id: z.string().nullable(),
  created_at: z.string(),
  last_activity: z.string(),
  expires_at: z.string().describe('Moves forward with each request (idle timeout), up to an absolute limit'),
  revoked_at: z.string().nullable(),
});
const createdSessionView = sessionView.extend({
  token: z.string().describe('The session secret (`sbs_…`): send it as `Authorization: Bearer`; shown this once'),
  permissions: z.array(z.string()),
});

const sessionToWire = (s: SessionInfo): z.infer<typeof sessionView> => ({
  session_id: s.id,
  user_id: s.userId,
  device_id: s.deviceId,
  created_at: new Date(s.createdAt).toISOString(),
  last_activity: new Date(s.lastActivity).toISOString(),
  expires_at: new Date(s.expiresAt).toISOString(),
  revoked_at: iso(s.revokedAt),
});
const createdToWire = (s: CreatedSession): z.infer<typeof createdSessionView> => ({
  ...sessionToWire(s),
  token: s.token,
  permissions: [...s.permissions],
});

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
      const session = await sessions.login({ username: b.username, password: b.password, ip: req.ip, ...(b.device_id !== undefined ? { deviceId: b.device_id } : {}) });
      return reply.code(201).header('cache-control', 'no-store').send(createdToWire(session));
    },
  );

  r.delete(
    '/api/runtime/sessions/:session_id',
    {
      schema: {
        tags,
        summary: 'Log out: revoke one of your sessions (anyone\'s with admin:users); it stops working at once',
        params: z.object({ session_id: z.string().min(1).max(200) }),
        response: { 200: sessionView, 401: errorView, 404: errorView },
      },
    },
    async (req) => sessionToWire(await sessions.logout(req.caller, req.params.session_id)),
  );
}
