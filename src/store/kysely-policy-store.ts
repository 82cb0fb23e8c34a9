/** Resource policies over Kysely (both dialects). Every change carries its audit records in the same transaction. */
import type { Kysely, Transaction } from 'kysely';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { PolicyStore } from '../core/ports/policy-store.ts';
import { isPermission, isRole } from '../core/domain/permissions.ts';
import { PolicyResourceTypes, type Policy, type PolicyResourceType } from '../core/domain/policy.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Database, PoliciesTable } from './schema.ts';
import { appendAudit } from './audit-append.ts';

const strings = (text: string): string[] => {
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

const isResourceType = (v: string): v is PolicyResourceType => (PolicyResourceTypes as readonly string[]).includes(v);

function rowToPolicy(r: PoliciesTable): Policy | undefined {
  // A row of a type this version does not know is skipped rather than guessed at.
  if (!isResourceType(r.resource_type)) return undefined;
  return {
    id: r.id,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    permissions: strings(r.permissions).filter(isPermission),
    allowedRoles: strings(r.allowed_roles).filter(isRole),
    allowedUsers: strings(r.allowed_users),
    deniedUsers: strings(r.denied_users),
    requiredPermissions: strings(r.required_permissions).filter(isPermission),
    requireTrustedDevice: Number(r.require_trusted_device) !== 0,
    description: r.description,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function policyToRow(p: Policy): PoliciesTable {
  return {
    id: p.id,
    resource_type: p.resourceType,
    resource_id: p.resourceId,
    permissions: JSON.stringify(p.permissions),
    allowed_roles: JSON.stringify(p.allowedRoles),
    allowed_users: JSON.stringify(p.allowedUsers),
    denied_users: JSON.stringify(p.deniedUsers),
    required_permissions: JSON.stringify(p.requiredPermissions),
    require_trusted_device: p.requireTrustedDevice ? 1 : 0,
    description: p.description,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

type AuditArg = { readonly records: readonly AuditInput[]; readonly now: number };

/** Rolls a transaction back when its target row is missing or taken, so no audit record is written. */
class NoChange extends Error {}

export function createKyselyPolicyStore(deps: {
  readonly db: Kysely<Database>;
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
}): PolicyStore {
  const { db } = deps;
  const audited = <T>(audit: AuditArg, work: (trx: Transaction<Database>) => Promise<T>): Promise<T | undefined> =>
    db
      .transaction()
      .execute(async (trx) => {
        const out = await work(trx);
        await appendAudit(trx, deps, audit.records, audit.now);
        return out;
      })
      .catch((err: unknown) => {
        if (err instanceof NoChange) return undefined;
        throw err;
      });
  const find = async (q: Kysely<Database> | Transaction<Database>, id: string): Promise<Policy | undefined> => {
    const row = await q.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : rowToPolicy(row);
  };

  return {
    async listPolicies() {
      const rows = await db.selectFrom('policies').selectAll().orderBy('id').execute();
      return rows.map(rowToPolicy).filter((p): p is Policy => p !== undefined);
    },

    getPolicy: (id) => find(db, id),

    async createPolicy(policy, audit) {
      const created = await audited(audit, async (trx) => {
        if ((await find(trx, policy.id)) !== undefined) throw new NoChange();
        await trx.insertInto('policies').values(policyToRow(policy)).execute();
        return true;
      }).catch(async (err: unknown) => {
        // Two nodes creating the same id at once: the primary key refuses the second.
        if ((await find(db, policy.id)) !== undefined) return undefined;
        throw err;
      });
      return created === true;
    },

    async updatePolicy(policy, audit) {
      return audited(audit, async (trx) => {
        const { id: _id, created_at: _created, ...set } = policyToRow(policy);
        const res = await trx.updateTable('policies').set(set).where('id', '=', policy.id).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw new NoChange();
        const after = await find(trx, policy.id);
        if (after === undefined) throw new NoChange();
        return after;
      });
    },

    async deletePolicy(id, audit) {
      return audited(audit, async (trx) => {
        const before = await find(trx, id);
        if (before === undefined) throw new NoChange();
        await trx.deleteFrom('policies').where('id', '=', id).execute();
        return before;
      });
    },
  };
}
