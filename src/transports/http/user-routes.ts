/**
 * /api/users: the caller's own account, user administration and API tokens. Every
 * permission decision is the UserAdmin's; this file only maps HTTP to its calls.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UserAdmin } from '../../core/services/user-admin.ts';
import {
  createTokenBody,
  createUserBody,
  createdTokenToWire,
  createdTokenView,
  tokenParams,
  tokenToWire,
  tokenView,
  updateUserBody,
  userParams,
  userToWire,
  userView,
  tokenList,
  userList,
} from '../../wire/user.ts';
import { errorView } from '../../wire/error.ts';

const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };
const tags = ['users'];

/** Registers the user and token routes on `app`. */
export function registerUserRoutes(app: FastifyInstance, users: UserAdmin): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/users/me',
    { schema: { tags, summary: 'The calling user', response: { 200: userView, ...errors } } },
    async (req) => userToWire(await users.me(req.caller)),
  );

  r.post(
    '/api/users/me/password',
    {
      schema: {
        tags,
        summary: 'Change your own password (no admin:users needed); ends your other sessions',
        description:
          'An account that has a password must send it as `current_password` (a wrong one is 403 CURRENT_PASSWORD_WRONG, audited, and counts towards the login limits: 429 with Retry-After). An account without one (e.g. the first administrator, who has only a token) sets its first password. The session making the call stays signed in.',
        body: z
          .object({ current_password: z.string().min(1).max(1024).optional(), new_password: z.string().min(1).max(1024) })
          .strict(),
        response: { 200: userView, 422: errorView, 429: errorView, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      return userToWire(
        await users.changeOwnPassword(req.caller, { newPassword: b.new_password, ip: req.ip, ...(b.current_password !== undefined ? { currentPassword: b.current_password } : {}) }),
      );
    },
  );

  r.get(
    '/api/users',
    { schema: { tags, summary: 'Every user (needs admin:users)', response: { 200: userList, ...errors } } },
    async (req) => ({ users: (await users.listUsers(req.caller)).map(userToWire) }),
  );

  r.post(
    '/api/users',
    {
      schema: {
        tags,
        summary: 'Create a user (needs admin:users; only roles whose permissions the caller holds)',
        body: createUserBody,
        response: { 201: userView, 409: errorView, 422: errorView, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const user = await users.createUser(req.caller, { username: b.username, roles: b.roles, ...(b.password !== undefined ? { password: b.password } : {}) });
      return reply.code(201).send(userToWire(user));
    },
  );

  r.patch(
    '/api/users/:id',
    {
      schema: {
        tags,
        summary: 'Change roles, disable/enable or set the password of a user (needs admin:users)',
        description: 'Disabling a user stops their tokens at once.',
        params: userParams,
        body: updateUserBody,
        response: { 200: userView, 422: errorView, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      const patch = {
        ...(b.roles !== undefined ? { roles: b.roles } : {}),
        ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
        ...(b.password !== undefined ? { password: b.password } : {}),
      };
      return userToWire(await users.updateUser(req.caller, req.params.id, patch));
    },
  );

  r.post(
    '/api/users/:id/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token (own, or anyone with admin:users); the secret is shown once',
        params: userParams,
        body: createTokenBody,
        response: { 201: createdTokenView, ...errors },
      },
    },
    async (req, reply) => {
      const expires = req.body.expires_at;
      const token = await users.createToken(req.caller, req.params.id, {
        name: req.body.name,
        expiresAt: expires === undefined || expires === null ? null : Date.parse(expires),
      });
      return reply.code(201).header('cache-control', 'no-store').send(createdTokenToWire(token));
    },
  );

  r.get(
    '/api/users/:id/tokens',
    {
      schema: {
        tags,
        summary: "A user's API tokens, without secrets (own, or admin:users)",
        params: userParams,
        response: { 200: tokenList, ...errors },
      },
    },
    async (req) => ({ tokens: (await users.listTokens(req.caller, req.params.id)).map(tokenToWire) }),
  );

  r.delete(
    '/api/users/:id/tokens/:token_id',
    {
      schema: {
        tags,
        summary: 'Revoke an API token (own, or admin:users); it stops working at once',
        params: tokenParams,
        response: { 200: tokenView, ...errors },
      },
    },
    async (req) => tokenToWire(await users.revokeToken(req.caller, req.params.id, req.params.token_id)),
  );
}
