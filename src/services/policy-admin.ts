/**
 * Resource policy administration: authorize (`admin:system`) → validate → act → audit
 * (`resource.modified` / `resource.deleted`, resource type `policy`, in the store's
 * transaction) → drop this node's policy cache so the change applies to the next
 * request. Users in a policy may be given by id or username and are stored as ids;
 * an unknown user is refused (a typo in a deny list must not pass silently).
 * `explain` evaluates exactly as the authorizer does, on the same policy set.
 */
import type { PolicyAdmin } from '../core/services/policy-admin.ts';
import type { ExplainRequest, Explanation, NewPolicyInput, PolicyInput } from '../core/domain/policy.ts';
import { SwitchboardError } from '../core/domain/errors.ts';
import { POLICY_ID, PolicyResourceTypes, evaluate, isResourcePattern, type Policy, type PolicyRules } from '../core/domain/policy.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { PolicyStore } from '../core/ports/policy-store.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Caller } from '../core/domain/caller.ts';
import type { Guard } from '../core/ports/guard.ts';
import type { JsonObject } from '../core/domain/json.ts';
import type { PolicyAuthorizer } from '../security/authorization/policy-authorizer.ts';

export interface PolicyAdminDeps {
  readonly store: PolicyStore;
  readonly credentials: CredentialStore;
  readonly authorizer: PolicyAuthorizer;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly guard: Guard;
}

const MAX_DESCRIPTION = 500;
const MAX_USERS = 1000;

const unique = <T>(list: readonly T[]): T[] => [...new Set(list)];

/** The audit details of a policy: its rules, nothing else. */
export function policyDetails(p: PolicyRules): JsonObject {
  return {
    resource: `${p.resourceType}:${p.resourceId}`,
    permissions: [...p.permissions],
    allowed_roles: [...p.allowedRoles],
    allowed_users: [...p.allowedUsers],
    denied_users: [...p.deniedUsers],
    required_permissions: [...p.requiredPermissions],
    require_trusted_device: p.requireTrustedDevice,
  };
}

export function createPolicyAdmin(deps: PolicyAdminDeps): PolicyAdmin {
  const { store, credentials } = deps;

  const needSystem = (caller: Caller, policyId: string | null): Promise<void> =>
    deps.guard.ensure(caller, 'admin:system', { type: 'policy', id: policyId }, { why: 'managing policies' });

  async function findUser(ref: string) {
    return (await credentials.getUser(ref)) ?? (await credentials.findUserByName(ref));
  }

  async function resolveUsers(field: string, refs: readonly string[]): Promise<string[]> {
    if (refs.length > MAX_USERS) throw new SwitchboardError('VALIDATION_FAILED', `${field}: at most ${MAX_USERS} users`);
    const ids: string[] = [];
    for (const ref of unique(refs)) {
      const user = await findUser(ref);
      if (user === undefined) throw new SwitchboardError('VALIDATION_FAILED', `${field}: no user ${ref}`, { field, user: ref });
      ids.push(user.id);
    }
    return unique(ids);
  }

  /** Checks the rules and turns usernames into ids. */
  async function normalize(input: PolicyInput): Promise<PolicyRules> {
    if (!(PolicyResourceTypes as readonly string[]).includes(input.resourceType)) {
      throw new SwitchboardError('VALIDATION_FAILED', `resource_type: one of ${PolicyResourceTypes.join(', ')}`);
    }
    if (!isResourcePattern(input.resourceId)) {
      throw new SwitchboardError('VALIDATION_FAILED', 'resource_id: an id, `*`, or a prefix followed by `*` such as `deploy-*`');
    }
    if (input.description.length > MAX_DESCRIPTION) {
      throw new SwitchboardError('VALIDATION_FAILED', `description: at most ${MAX_DESCRIPTION} characters`);
    }
    return {
      resourceType: input.resourceType,
      resourceId: input.resourceId,
      permissions: unique(input.permissions),
      allowedRoles: unique(input.allowedRoles),
      allowedUsers: await resolveUsers('allowed_users', input.allowedUsers),
      deniedUsers: await resolveUsers('denied_users', input.deniedUsers),
      requiredPermissions: unique(input.requiredPermissions),
      requireTrustedDevice: input.requireTrustedDevice,
      description: input.description,
    };
  }

  const record = (caller: Caller, eventType: 'resource.modified' | 'resource.deleted', action: string, policy: Policy): AuditInput => ({
    eventType,
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: 'policy',
    resourceId: policy.id,
    action,
    status: 'success',
    details: policyDetails(policy),
  });

  const notFound = (id: string) => new SwitchboardError('POLICY_NOT_FOUND', undefined, { policy_id: id });

  /** The caller, or (with admin:users) another user as they would call; undefined trust: no device. */
  async function subjectOf(caller: Caller, userRef: string | undefined): Promise<{ subject: Caller; disabled: boolean }> {
    if (userRef === undefined || userRef === caller.principal.id || userRef === caller.principal.username) {
      return { subject: caller, disabled: false };
    }
    await deps.guard.ensure(caller, 'admin:users', { type: 'user', id: userRef }, { why: "explaining another user's access" });
    const user = await findUser(userRef);
    if (user === undefined) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userRef });
    const { id, username, kind, roles, grants } = user;
    const info = await credentials.getUser(id);
    return { subject: { principal: { id, username, kind, roles, grants }, via: 'system' }, disabled: info?.disabled ?? false };
  }

  return {
    async list(caller) {
      await needSystem(caller, null);
      return store.listPolicies();
    },

    async get(caller, id) {
      await needSystem(caller, id);
      const policy = await store.getPolicy(id);
      if (policy === undefined) throw notFound(id);
      return policy;
    },

    async create(caller, input: NewPolicyInput) {
      await needSystem(caller, input.id ?? null);
      const id = input.id ?? deps.ids.uuid();
      if (!POLICY_ID.test(id)) throw new SwitchboardError('VALIDATION_FAILED', 'id: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
      const now = deps.clock.now();
      const policy: Policy = { ...(await normalize(input)), id, createdAt: now, updatedAt: now };
      const created = await store.createPolicy(policy, { records: [record(caller, 'resource.modified', 'policy.create', policy)], now });
      if (!created) throw new SwitchboardError('POLICY_ID_TAKEN', undefined, { policy_id: id });
      deps.authorizer.invalidate();
      return policy;
    },

    async update(caller, id, input) {
      await needSystem(caller, id);
      const before = await store.getPolicy(id);
      if (before === undefined) throw notFound(id);
      const now = deps.clock.now();
      const policy: Policy = { ...(await normalize(input)), id, createdAt: before.createdAt, updatedAt: now };
      const after = await store.updatePolicy(policy, { records: [record(caller, 'resource.modified', 'policy.update', policy)], now });
      if (after === undefined) throw notFound(id);
      deps.authorizer.invalidate();
      return after;
    },

    async delete(caller, id) {
      await needSystem(caller, id);
      const before = await store.getPolicy(id);
      if (before === undefined) throw notFound(id);
      const now = deps.clock.now();
      const deleted = await store.deletePolicy(id, { records: [record(caller, 'resource.deleted', 'policy.delete', before)], now });
      if (deleted === undefined) throw notFound(id);
      deps.authorizer.invalidate();
      return deleted;
    },

    async explain(caller, request: ExplainRequest): Promise<Explanation> {
      const { subject: base, disabled } = await subjectOf(caller, request.userId);
      const subject: Caller = request.deviceTrust === undefined ? base : { ...base, deviceTrust: request.deviceTrust };
      const about = { userId: subject.principal.id, permission: request.permission, resource: request.resource };
      if (disabled) {
        const reason = 'the user is disabled: every credential is refused';
        return { ...about, allowed: false, reason, rule: 'user-disabled', steps: [{ rule: 'user-disabled', outcome: 'deny', detail: reason }] };
      }
      return { ...about, ...evaluate(subject, request.permission, request.resource, await deps.authorizer.policies()) };
    },
  };
}
