/**
 * /api/policies (resource policies and `explain`) and /api/roles. Every permission
 * decision is the PolicyAdmin's; this file only maps HTTP to its calls.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PolicyAdmin } from '../../core/services/policy-admin.ts';
import {
  createPolicyBody,
  explainBody,
  explanationToWire,
  explanationView,
  newPolicyFromWire,
  policyFromWire,
  policyParams,
  policyRulesBody,
  policyToWire,
  policyView,
  resourceFromWire,
  rolesToWire,
  rolesView,
  policyList,
} from '../../wire/policy.ts';
import { errorView } from '../../wire/error.ts';

const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };
const tags = ['policies'];

/** Registers the policy, explain and role-table routes on `app`. */
export function registerPolicyRoutes(app: FastifyInstance, policies: PolicyAdmin): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/roles',
    { schema: { tags, summary: 'The roles and the permissions each holds (any authenticated caller)', response: { 200: rolesView, ...errors } } },
    async () => rolesToWire(),
  );

  r.get(
    '/api/policies',
    { schema: { tags, summary: 'Every resource policy, by id (needs admin:system)', response: { 200: policyList, ...errors } } },
    async (req) => ({ policies: (await policies.list(req.caller)).map(policyToWire) }),
  );

  r.post(
    '/api/policies',
    {
      schema: {
        tags,
        summary: 'Create a resource policy (needs admin:system); it applies to the next request',
        description: 'Precedence: the role table must allow; an explicit deny (denied_users) of any matching policy wins; then the most specific matching policy decides (exact id > longer prefix > shorter prefix > `*`); no matching policy: the role table decides.',
        body: createPolicyBody,
        response: { 201: policyView, 409: errorView, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(policyToWire(await policies.create(req.caller, newPolicyFromWire(req.body)))),
  );

  r.post(
    '/api/policies/explain',
    {
      schema: {
        tags,
        summary: 'Say which rule allows or denies a permission on a resource, step by step (yourself; another user needs admin:users)',
        body: explainBody,
        response: { 200: explanationView, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      const explained = await policies.explain(req.caller, {
        permission: b.permission,
        ...(b.user_id !== undefined ? { userId: b.user_id } : {}),
        ...(b.resource !== undefined ? { resource: resourceFromWire(b.resource) } : {}),
        ...(b.device_trust !== undefined ? { deviceTrust: b.device_trust } : {}),
      });
      return explanationToWire(explained);
    },
  );

  r.get(
    '/api/policies/:id',
    { schema: { tags, summary: 'One resource policy (needs admin:system)', params: policyParams, response: { 200: policyView, ...errors } } },
    async (req) => policyToWire(await policies.get(req.caller, req.params.id)),
  );

  r.put(
    '/api/policies/:id',
    {
      schema: {
        tags,
        summary: 'Replace every rule of a policy (needs admin:system); omitted lists become empty',
        params: policyParams,
        body: policyRulesBody,
        response: { 200: policyView, ...errors },
      },
    },
    async (req) => policyToWire(await policies.update(req.caller, req.params.id, policyFromWire(req.body))),
  );

  r.delete(
    '/api/policies/:id',
    { schema: { tags, summary: 'Delete a policy (needs admin:system); returns what was deleted', params: policyParams, response: { 200: policyView, ...errors } } },
    async (req) => policyToWire(await policies.delete(req.caller, req.params.id)),
  );
}
