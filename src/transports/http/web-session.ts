/**
 * Browser sessions: the web UI signs in here and then holds its session secret in an
 * HttpOnly, SameSite=Strict cookie that JavaScript never sees (Secure over HTTPS).
 * Requests that change something and authenticate by that cookie must also carry
 * `X-CSRF-Token` (derived from the secret, so only a page that read
 * GET /api/web/session can know it) and no foreign `Origin`. Bearer credentials are
 * untouched by all this: a script keeps using `Authorization`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchboardError } from '../../core/domain/errors.ts';
import { DeviceTrustLevels, effectivePermissions, type Caller } from '../../core/domain/caller.ts';
import type { Authenticator } from '../../core/ports/authenticator.ts';
import type { SessionService } from '../../core/services/session-service.ts';
import type { UserAdmin } from '../../core/services/user-admin.ts';
import type { CreatedSession } from '../../core/domain/identity.ts';
import { errorView } from '../../wire/error.ts';
import { userToWire, userView } from '../../wire/user.ts';
import { deviceProofBody, deviceRequest } from './device-routes.ts';
import { SESSION_COOKIE, isOwnOrigin, sessionCookieOf } from '../../wire/browser-session.ts';

// The cookie's name and reader are shared with the WebSocket transport.
export { SESSION_COOKIE, sessionCookieOf };

export const CSRF_HEADER = 'x-csrf-token';
/** Signing in is the one web route without a credential. */
export const WEB_SIGN_IN_PATH = '/api/web/session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF token of a session: a hash of its secret (the secret itself stays in the cookie). */
export function csrfTokenFor(secret: string): string {
  return createHash('sha256').update(`switchboard-csrf:${secret}`).digest('base64url');
}

/**
 * For a request authenticated by the cookie: refuses a state change without the right
 * CSRF token, or from a page of another origin.
 */
export function checkCsrf(req: FastifyRequest, secret: string, publicOrigins: readonly string[] = []): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, req.protocol, req.headers.host, publicOrigins)) {
    throw new SwitchboardError('CSRF_FAILED', `Refused: the request came from ${origin.slice(0, 200)}, not from this server`);
  }
  const sent = req.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(secret));
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SwitchboardError('CSRF_FAILED');
}

// The browser's device, as at login: a device with a public key needs a signed challenge.
const deviceShape = { device_id: z.string().min(1).max(200).optional(), device_proof: deviceProofBody.optional() };

const signInBody = z.union([
  z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024), ...deviceShape }).strict(),
  z.object({ token: z.string().min(1).max(200).describe('An API token (sbt_…), e.g. the admin token the first start printed'), ...deviceShape }).strict(),
]);

const webSessionView = z.object({
  session_id: z.string().nullable().describe('null when called with an API token, or when signed out'),
  expires_at: z.string().nullable(),
  user: userView.nullable().describe('null: not signed in (no credential, or an expired one)'),
  permissions: z.array(z.string()),
  csrf_token: z.string().nullable().describe(`Send it as ${CSRF_HEADER} with every request that changes something; null without the session cookie`),
  device: z
    .object({ device_id: z.string(), trust: z.enum(DeviceTrustLevels) })
    .nullable()
    .describe('The device the session is bound to, with its trust level as of this request; null: none'),
});

const deviceOf = (caller: Caller) => (caller.deviceId === undefined ? null : { device_id: caller.deviceId, trust: caller.deviceTrust ?? 'unknown' });

function setCookie(req: FastifyRequest, reply: FastifyReply, secret: string, expiresAt: number): void {
  const parts = [`${SESSION_COOKIE}=${secret}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (req.protocol === 'https') parts.push('Secure');
  parts.push(`Expires=${new Date(expiresAt).toUTCString()}`);
  void reply.header('set-cookie', parts.join('; '));
}

function clearCookie(req: FastifyRequest, reply: FastifyReply): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict${req.protocol === 'https' ? '; Secure' : ''}; Max-Age=0`);
}

export function registerWebSessionRoutes(app: FastifyInstance, deps: { readonly sessions: SessionService; readonly authenticator: Authenticator; readonly users: UserAdmin }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['web'];

  async function answer(created: CreatedSession, req: FastifyRequest, reply: FastifyReply) {
    const caller = await deps.authenticator.authenticate(created.token);
    const user = await deps.users.me(caller);
    setCookie(req, reply, created.token, created.expiresAt);
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({
        session_id: created.id,
        expires_at: new Date(created.expiresAt).toISOString(),
        user: userToWire(user),
        permissions: [...created.permissions],
        csrf_token: csrfTokenFor(created.token),
        device: deviceOf(caller),
      });
  }

  r.post(
    WEB_SIGN_IN_PATH,
    {
      schema: {
        tags,
        summary: 'Sign a browser in: with a username and password, or with an API token; sets the HttpOnly session cookie',
        description:
          'Answers like POST /api/auth/login (one 401 for an unknown user or a wrong password, limits, audit), device binding included: `device_id` and, for a device with a public key, `device_proof` (a signed POST /api/auth/device-challenge). The session secret goes only into the cookie.',
        security: [],
        body: signInBody,
        response: { 201: webSessionView, 400: errorView, 401: errorView, 429: errorView },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if ('token' in b) {
        // A session made from the token: the token itself never becomes the cookie.
        const caller = await deps.authenticator.authenticate(b.token);
        return answer(await deps.sessions.create(caller, deviceRequest(b)), req, reply);
      }
      return answer(await deps.sessions.login({ username: b.username, password: b.password, ip: req.ip, ...deviceRequest(b) }), req, reply);
    },
  );

  r.get(
    WEB_SIGN_IN_PATH,
    { schema: { tags, summary: "The browser's session: who is signed in (user null: nobody), with what permissions, and the CSRF token", response: { 200: webSessionView, 401: errorView } } },
    async (req, reply) => {
      if ((req.caller as Caller | null) === null) {
        if (sessionCookieOf(req.headers.cookie) !== undefined) clearCookie(req, reply);
        return reply.header('cache-control', 'no-store').send({ session_id: null, expires_at: null, user: null, permissions: [], csrf_token: null, device: null });
      }
      const secret = req.headers.authorization === undefined ? sessionCookieOf(req.headers.cookie) : undefined;
      const sessionId = req.caller.sessionId;
      const [user, session] = await Promise.all([deps.users.me(req.caller), sessionId === undefined ? undefined : deps.sessions.get(req.caller, sessionId)]);
      return reply.header('cache-control', 'no-store').send({
        session_id: session?.id ?? null,
        expires_at: session === undefined ? null : new Date(session.expiresAt).toISOString(),
        user: userToWire(user),
        permissions: [...effectivePermissions(req.caller)].sort(),
        csrf_token: secret === undefined ? null : csrfTokenFor(secret),
        device: deviceOf(req.caller),
      });
    },
  );

  r.delete(
    WEB_SIGN_IN_PATH,
    { schema: { tags, summary: "Sign the browser out: ends the caller's session (if it is one) and clears the cookie", response: { 204: z.null(), 401: errorView, 403: errorView } } },
    async (req, reply) => {
      if (req.caller.sessionId !== undefined) await deps.sessions.logout(req.caller, req.caller.sessionId);
      clearCookie(req, reply);
      return reply.code(204).send(null);
    },
  );
}
