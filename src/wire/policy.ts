/** The wire model of /api/policies, /api/roles and user grants: zod schemas (validation + OpenAPI) and mappers. */
import { z } from 'zod';
import type { Explanation, NewPolicyInput, PolicyInput } from '../core/domain/policy.ts';
import { Permissions, ROLE_PERMISSIONS, Roles } from '../core/domain/permissions.ts';
import { PolicyResourceTypes, type Policy } from '../core/domain/policy.ts';
import type { ResourceRef } from '../core/domain/decision.ts';
import { DeviceTrustLevels } from '../core/domain/caller.ts';
import { userView } from './user.ts';
import { iso } from './primitives.ts';

const permissionList = z.array(z.enum(Permissions)).max(Permissions.length);
const roleList = z.array(z.enum(Roles)).max(Roles.length);
const userList = z.array(z.string().min(1).max(200)).max(1000).describe('user ids or usernames (stored as ids)');

const rulesShape = {
  resource_type: z.enum(PolicyResourceTypes),
  resource_id: z.string().min(1).max(201).describe('an exact id, `*` (any id), or a prefix wildcard such as `deploy-*`'),
  permissions: permissionList.default([]).describe('the permissions the policy applies to; empty: all'),
  allowed_roles: roleList.default([]).describe('when this or allowed_users is non-empty, only these roles/users pass'),
  allowed_users: userList.default([]),
  denied_users: userList.default([]).describe('always denied: an explicit deny wins over every other rule'),
  required_permissions: permissionList.default([]).describe('permissions the caller must also hold'),
  require_trusted_device: z.boolean().default(false).describe('the caller must act from a trusted device'),
  description: z.string().max(500).default(''),
};

export const policyRulesBody = z.object(rulesShape).strict();
export const createPolicyBody = z
  .object({ id: z.string().min(1).max(64).optional().describe('letters, digits, ".", "_", "-" (default: a generated UUID)'), ...rulesShape })
  .strict();

export const policyParams = z.object({ id: z.string().min(1).max(200) });

export const policyView = z.object({
  id: z.string(),
  resource_type: z.enum(PolicyResourceTypes),
  resource_id: z.string(),
  permissions: z.array(z.enum(Permissions)),
  allowed_roles: z.array(z.enum(Roles)),
  allowed_users: z.array(z.string()),
  denied_users: z.array(z.string()),
  required_permissions: z.array(z.enum(Permissions)),
  require_trusted_device: z.boolean(),
  description: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const explainBody = z
  .object({
    user_id: z.string().min(1).max(200).optional().describe('whose access to explain (id or username; default: yours; another user needs admin:users)'),
    permission: z.enum(Permissions),
    resource: z
      .string()
      .regex(/^[a-z_]+(:[^\s]{1,200})?$/, 'type or type:id, e.g. agent:gpt')
      .optional()
      .describe('e.g. `agent:gpt`, `project:42`; omitted: the permission alone'),
    device_trust: z.enum(DeviceTrustLevels).optional().describe('explain as if acting from a device of this trust level'),
  })
  .strict();

const stepView = z.object({ rule: z.string(), outcome: z.enum(['allow', 'deny', 'pass']), detail: z.string() });

export const explanationView = z.object({
  user_id: z.string(),
  permission: z.enum(Permissions),
  resource: z.string().nullable(),
  allowed: z.boolean(),
  rule: z.string().describe('the deciding rule: `role:<role>`, `grant`, `policy:<id>`, `default-deny`, `user-disabled`'),
  reason: z.string(),
  steps: z.array(stepView),
});

export const rolesView = z.object({
  roles: z.array(z.object({ role: z.enum(Roles), permissions: z.array(z.enum(Permissions)) })),
  permissions: z.array(z.enum(Permissions)),
});

export const roleBody = z.object({ role: z.enum(Roles) }).strict();
export const permissionBody = z.object({ permission: z.enum(Permissions) }).strict();
export const roleParams = z.object({ id: z.string().min(1).max(200), role: z.enum(Roles) });
export const permissionParams = z.object({ id: z.string().min(1).max(200), permission: z.enum(Permissions) });
export const grantView = z.object({ user: userView, changed: z.boolean().describe('false: the user already had it (or lacked it); nothing was written') });


export const policyToWire = (p: Policy): z.infer<typeof policyView> => ({
  id: p.id,
  resource_type: p.resourceType,
  resource_id: p.resourceId,
  permissions: [...p.permissions],
  allowed_roles: [...p.allowedRoles],
  allowed_users: [...p.allowedUsers],
  denied_users: [...p.deniedUsers],
  required_permissions: [...p.requiredPermissions],
  require_trusted_device: p.requireTrustedDevice,
  description: p.description,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});

export function policyFromWire(b: z.infer<typeof policyRulesBody>): PolicyInput {
  return {
    resourceType: b.resource_type,
    resourceId: b.resource_id,
    permissions: b.permissions,
    allowedRoles: b.allowed_roles,
    allowedUsers: b.allowed_users,
    deniedUsers: b.denied_users,
    requiredPermissions: b.required_permissions,
    requireTrustedDevice: b.require_trusted_device,
    description: b.description,
  };
}

export function newPolicyFromWire(b: z.infer<typeof createPolicyBody>): NewPolicyInput {
  const { id, ...rules } = b;
  return { ...policyFromWire(rules), ...(id !== undefined ? { id } : {}) };
}

/** `agent:gpt` → {type: agent, id: gpt}; `agent` → the kind as a whole. */
export function resourceFromWire(text: string): ResourceRef {
  const colon = text.indexOf(':');
  return colon < 0 ? { type: text, id: null } : { type: text.slice(0, colon), id: text.slice(colon + 1) };
}

export const explanationToWire = (e: Explanation): z.infer<typeof explanationView> => ({
  user_id: e.userId,
  permission: e.permission,
  resource: e.resource === undefined ? null : `${e.resource.type}${e.resource.id === null ? '' : `:${e.resource.id}`}`,
  allowed: e.allowed,
  rule: e.rule,
  reason: e.reason,
  steps: (e.steps ?? []).map((s) => ({ rule: s.rule, outcome: s.outcome, detail: s.detail })),
});

/** The role table, as GET /api/roles shows it. */
export const rolesToWire = (): z.infer<typeof rolesView> => ({
  roles: Roles.map((role) => ({ role, permissions: [...ROLE_PERMISSIONS[role]] })),
  permissions: [...Permissions],
});

/** GET /api/policies. */
export const policyList = z.object({ policies: z.array(policyView) });
export type PolicyView = z.infer<typeof policyView>;
export type ExplanationView = z.infer<typeof explanationView>;
export type GrantView = z.infer<typeof grantView>;
