/** Database-defined agents over Kysely (both dialects). Changes carry their audit records in the same transaction. */
import type { Kysely } from 'kysely';
import type { AgentConfigRecord } from '../core/domain/agent.ts';
import type { AgentConfigStore } from '../core/ports/agent-config-store.ts';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { JsonObject } from '../core/domain/json.ts';
import type { AgentConfigsTable, Database } from './schema.ts';
import { appendAudit } from './audit-append.ts';

function rowToRecord(r: AgentConfigsTable): AgentConfigRecord {
  return {
    id: r.id,
    kind: r.kind,
    config: JSON.parse(r.config) as JsonObject,
    updatedAt: Number(r.updated_at),
    updatedBy: r.updated_by,
  };
}

export function createKyselyAgentConfigStore(deps: {
  readonly db: Kysely<Database>;
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
}): AgentConfigStore {
  const { db } = deps;
  return {
    async listAgentConfigs() {
      const rows = await db.selectFrom('agent_configs').selectAll().orderBy('id').execute();
      return rows.map(rowToRecord);
    },

    async findAgentConfig(id) {
      const row = await db.selectFrom('agent_configs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToRecord(row);
    },

    async putAgentConfig(record, audit) {
      const values = {
        id: record.id,
        kind: record.kind,
        config: JSON.stringify(record.config),
        updated_at: record.updatedAt,
        updated_by: record.updatedBy,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('agent_configs')
          .values(values)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({ kind: values.kind, config: values.config, updated_at: values.updated_at, updated_by: values.updated_by }),
          )
          .execute();
        await appendAudit(trx, deps, audit.records, audit.now);
      });
    },

    async deleteAgentConfig(id, audit) {
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('agent_configs').where('id', '=', id).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return false;
        await appendAudit(trx, deps, audit.records, audit.now);
        return true;
      });
    },
  };
}
