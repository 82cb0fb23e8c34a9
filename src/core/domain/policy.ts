/**
 * Resource policies and the one function that decides a permission on a resource.
 * Pure: no IO; the policy set is passed in.
 *
 * Precedence (documented in README.md, "Resource policies"):
 * 1. The role table and the user's grants must allow the permission (deny by default).
 * 2. An explicit deny wins: a caller in `denied_users` of ANY matching policy is denied.
 * 3. The most specific matching policy decides: an exact id beats a prefix wildcard
 *    (`deploy-*`), a longer prefix beats a shorter one, and any prefix beats `*`.
 *    It may restrict the caller to its allowed roles/users, require more permissions
 *    and require a trusted device. Equally specific policies must each allow.
 * 4. No matching policy: the role table's decision (step 1) stands.
 * A policy matches when its resource type is the resource's, its id pattern matches
 * the resource id, and it applies to the permission (its `permissions`, empty: all).
 * Checks on a kind as a whole (a listing: no resource id) are decided by step 1 alone.
 */
import type { Caller, DeviceTrust } from './caller.ts';
import type { Decision, DecisionStep, ResourceRef } from './decision.ts';
import { hasPermission } from './caller.ts';
import { ROLE_PERMISSIONS } from './permissions.ts';
import type { Permission, Role } from './permissions.ts';

/** The kinds of resource a policy can name. */
export const PolicyResourceTypes = ['agent', 'skill', 'project', 'task'] as const;

export type PolicyResourceType = (typeof PolicyResourceTypes)[number];

/** What a policy says; everything but its identity and times. */
export interface PolicyRules {
  readonly resourceType: PolicyResourceType;
  /** An exact id, `*` (every id of the type), or a prefix wildcard such as `deploy-*`. */
  readonly resourceId: string;
  /** The permissions it applies to; empty: every permission. */
  readonly permissions: readonly Permission[];
  /** When either list is non-empty, only these roles or users pass. */
  readonly allowedRoles: readonly Role[];
  /** User ids. */
  readonly allowedUsers: readonly string[];
  /** User ids always denied (an explicit deny wins over everything). */
  readonly deniedUsers: readonly string[];
  /** Permissions the caller must also hold (through roles or grants). */
  readonly requiredPermissions: readonly Permission[];
  /** The caller must act from a device whose trust level is `trusted`. */
  readonly requireTrustedDevice: boolean;
  readonly description: string;
}

/** A stored resource policy. */
export interface Policy extends PolicyRules {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Policy ids: short, readable in `explain` output and URLs. */
export const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Resource id patterns: `*`, an id, or an id prefix followed by one `*`. */
const PATTERN = /^(\*|[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}\*?)$/;

/** True when `pattern` is a valid resource id pattern. */
export function isResourcePattern(pattern: string): boolean {
  return PATTERN.test(pattern);
}

/** True when the pattern matches the id. */
export function patternMatches(pattern: string, id: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return id.startsWith(pattern.slice(0, -1));
  return pattern === id;
}

/** Higher is more specific: exact > longer prefix > shorter prefix > `*`. */
export function patternSpecificity(pattern: string): number {
  if (pattern === '*') return 0;
  if (pattern.endsWith('*')) return 1 + pattern.length;
  return 1_000_000;
}

/** True when the policy applies to this permission on this resource. */
export function policyMatches(policy: PolicyRules, permission: Permission, resource: ResourceRef): boolean {
  return (
    resource.id !== null &&
    policy.resourceType === resource.type &&
    (policy.permissions.length === 0 || policy.permissions.includes(permission)) &&
    patternMatches(policy.resourceId, resource.id)
  );
}

/** The decision of the role table and individual grants alone (step 1). */
export function roleTableDecision(caller: Caller, permission: Permission): Decision {
  if (caller.principal.grants.includes(permission)) {
    return { allowed: true, reason: `${permission} is granted to the user`, rule: 'grant' };
  }
  for (const role of caller.principal.roles) {
    if (ROLE_PERMISSIONS[role].includes(permission)) {
      return { allowed: true, reason: `role ${role} holds ${permission}`, rule: `role:${role}` };
    }
  }
  return { allowed: false, reason: `requires ${permission}`, rule: 'default-deny' };
}

const label = (resource: ResourceRef): string => `${resource.type}:${resource.id ?? '*'}`;

/** Whether the policy names the caller in its allowed users or roles. */
function namesCaller(policy: PolicyRules, caller: Caller): boolean {
  return policy.allowedUsers.includes(caller.principal.id) || caller.principal.roles.some((r) => policy.allowedRoles.includes(r));
}

/** Why the policy refuses the caller, or undefined when it allows. */
function policyRefusal(policy: Policy, caller: Caller): string | undefined {
  const restricted = policy.allowedRoles.length > 0 || policy.allowedUsers.length > 0;
  if (restricted && !namesCaller(policy, caller)) return `policy ${policy.id} allows only its listed roles and users`;
  const missing = policy.requiredPermissions.find((p) => !hasPermission(caller, p));
  if (missing !== undefined) return `policy ${policy.id} requires ${missing}`;
  if (policy.requireTrustedDevice && caller.deviceTrust !== 'trusted') {
    const trust = caller.deviceTrust === undefined ? 'no registered device' : `device trust is ${caller.deviceTrust}`;
    return `policy ${policy.id} requires a trusted device (${trust})`;
  }
  return undefined;
}

const bySpecificity = (a: Policy, b: Policy): number =>
  patternSpecificity(b.resourceId) - patternSpecificity(a.resourceId) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Decides `permission` on `resource` for `caller` under `policies`, with the steps
 * taken (for `explain` and denial messages). See the precedence at the top of this file.
 */
export function evaluate(caller: Caller, permission: Permission, resource: ResourceRef | undefined, policies: readonly Policy[]): Decision {
  const steps: DecisionStep[] = [];
  const table = roleTableDecision(caller, permission);
  steps.push({ rule: table.rule, outcome: table.allowed ? 'allow' : 'deny', detail: table.reason });
  if (!table.allowed) return { ...table, steps };

  if (resource === undefined || resource.id === null) {
    steps.push({ rule: 'policies', outcome: 'pass', detail: 'no resource id: resource policies do not apply' });
    return { ...table, steps };
  }
  const matching = policies.filter((p) => policyMatches(p, permission, resource)).sort(bySpecificity);
  if (matching.length === 0) {
    steps.push({ rule: 'policies', outcome: 'pass', detail: `no policy matches ${label(resource)} for ${permission}; the role table decides` });
    return { ...table, steps };
  }

  const denying = matching.find((p) => p.deniedUsers.includes(caller.principal.id));
  if (denying !== undefined) {
    const reason = `the user is denied by policy ${denying.id} on ${denying.resourceType}:${denying.resourceId}`;
    steps.push({ rule: `policy:${denying.id}`, outcome: 'deny', detail: `${reason} (an explicit deny wins)` });
    return { allowed: false, reason, rule: `policy:${denying.id}`, steps };
  }
  steps.push({ rule: 'denied-users', outcome: 'pass', detail: `no matching policy denies the user (${matching.map((p) => p.id).join(', ')})` });

  const top = patternSpecificity(matching[0]?.resourceId ?? '*');
  const deciding = matching.filter((p) => patternSpecificity(p.resourceId) === top);
  for (const p of matching.slice(deciding.length)) {
    steps.push({ rule: `policy:${p.id}`, outcome: 'pass', detail: `${p.resourceType}:${p.resourceId} is less specific; overridden` });
  }
  for (const p of deciding) {
    const refusal = policyRefusal(p, caller);
    if (refusal !== undefined) {
      steps.push({ rule: `policy:${p.id}`, outcome: 'deny', detail: refusal });
      return { allowed: false, reason: refusal, rule: `policy:${p.id}`, steps };
    }
    steps.push({ rule: `policy:${p.id}`, outcome: 'allow', detail: `${p.resourceType}:${p.resourceId} allows the user` });
  }
  const ids = deciding.map((p) => p.id).join(',');
  return {
    allowed: true,
    reason: `allowed by policy ${ids} (and ${table.reason})`,
    rule: `policy:${ids}`,
    steps,
    namedByPolicy: deciding.some((p) => namesCaller(p, caller)),
  };
}

/** A policy as given by an administrator: users may be ids or usernames (stored as ids). */
export type PolicyInput = PolicyRules;

/** A new policy; without an id one is generated. */
export interface NewPolicyInput extends PolicyInput {
  readonly id?: string;
}

/** Which decision to explain: for the caller, or (with `admin:users`) for another user. */
export interface ExplainRequest {
  readonly userId?: string;
  readonly permission: Permission;
  readonly resource?: ResourceRef;
  /** Explain as if the caller acted from a device of this trust level (default: the caller's own; none for another user). */
  readonly deviceTrust?: DeviceTrust;
}

/** An explained decision: who, what, on which resource, and every step. */
export interface Explanation extends Decision {
  readonly userId: string;
  readonly permission: Permission;
  readonly resource: ResourceRef | undefined;
}
