/**
 * /api/users/{id}/roles and /api/users/{id}/permissions: grant and revoke one role or
 * one permission. Every decision is the GrantAdmin's; this file only maps HTTP to it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { GrantAdmin, GrantOutcome } from '../../core/services/grant-admin.ts';
import { grantView, permissionBody, permissionParams, roleBody, roleParams } from '../../wire/policy.ts';
import { userParams, userToWire } from '../../wire/user.ts';
import { errorView } from '../../wire/error.ts';

const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };
const tags = ['users'];
const note = 'Needs admin:users and every permission granted or revoked; audited; applies to the next request. `changed: false` when there was nothing to do.';

const toWire = (o: GrantOutcome) => ({ user: userToWire(o.user), changed: o.changed });

/** Registers the grant and revoke routes on `app`. */
export function registerGrantRoutes(app: FastifyInstance, grants: GrantAdmin): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/users/:id/roles',
    { schema: { tags, summary: 'Grant a role to a user', description: note, params: userParams, body: roleBody, response: { 200: grantView, ...errors } } },
    async (req) => toWire(await grants.grantRole(req.caller, req.params.id, req.body.role)),
  );

  r.delete(
    '/api/users/:id/roles/:role',
    { schema: { tags, summary: 'Revoke a role from a user', description: note, params: roleParams, response: { 200: grantView, ...errors } } },
    async (req) => toWire(await grants.revokeRole(req.caller, req.params.id, req.params.role)),
  );

  r.post(
    '/api/users/:id/permissions',
    {
      schema: { tags, summary: 'Grant a single permission to a user', description: note, params: userParams, body: permissionBody, response: { 200: grantView, ...errors } },
    },
    async (req) => toWire(await grants.grantPermission(req.caller, req.params.id, req.body.permission)),
  );

  r.delete(
    '/api/users/:id/permissions/:permission',
    { schema: { tags, summary: 'Revoke a single permission from a user', description: note, params: permissionParams, response: { 200: grantView, ...errors } } },
    async (req) => toWire(await grants.revokePermission(req.caller, req.params.id, req.params.permission)),
  );
}
