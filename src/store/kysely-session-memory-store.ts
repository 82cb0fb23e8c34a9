/** Session memory (the session_memory table) and a session's tasks, over Kysely (both dialects). */
import type { Kysely } from 'kysely';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { MemoryEntry } from '../core/domain/session-memory.ts';
import type { SessionMemoryStore } from '../core/ports/session-memory-store.ts';
import { TaskStates } from '../core/domain/task-states.ts';
import type { Json } from '../core/domain/json.ts';
import type { Database, SessionMemoryTable } from './schema.ts';
import { appendAudit } from './audit-append.ts';
import { rowToTask } from './rows.ts';

const rowToEntry = (r: SessionMemoryTable): MemoryEntry => ({ key: r.key, value: JSON.parse(r.value) as Json, updatedAt: Number(r.updated_at) });

export function createKyselySessionMemoryStore(deps: {
  readonly db: Kysely<Database>;
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
}): SessionMemoryStore {
  const { db } = deps;
  return {
    async listMemory(sessionId) {
      const rows = await db.selectFrom('session_memory').selectAll().where('session_id', '=', sessionId).orderBy('key').execute();
      return rows.map(rowToEntry);
    },

    async getMemory(sessionId, key) {
      const row = await db.selectFrom('session_memory').selectAll().where('session_id', '=', sessionId).where('key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : rowToEntry(row);
    },

    async setMemory(entry, maxKeys, audit) {
      return db.transaction().execute(async (trx) => {
        // PostgreSQL: writers of one session queue on its row, so two new keys cannot both pass the count.
        if (deps.isPg) await trx.selectFrom('sessions').select('id').where('id', '=', entry.sessionId).forUpdate().execute();
        const existing = await trx
          .selectFrom('session_memory')
          .select('key')
          .where('session_id', '=', entry.sessionId)
          .where('key', '=', entry.key)
          .executeTakeFirst();
        if (existing === undefined) {
          const count = await trx
            .selectFrom('session_memory')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('session_id', '=', entry.sessionId)
            .executeTakeFirstOrThrow();
          if (Number(count.n) >= maxKeys) return 'full' as const;
          await trx.insertInto('session_memory').values({ session_id: entry.sessionId, key: entry.key, value: entry.valueText, updated_at: audit.now }).execute();
        } else {
          await trx
            .updateTable('session_memory')
            .set({ value: entry.valueText, updated_at: audit.now })
            .where('session_id', '=', entry.sessionId)
            .where('key', '=', entry.key)
            .execute();
        }
        await appendAudit(trx, deps, audit.records, audit.now);
        return 'ok' as const;
      });
    },

    async deleteMemory(sessionId, key, audit) {
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('session_memory').where('session_id', '=', sessionId).where('key', '=', key).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return false;
        await appendAudit(trx, deps, audit.records, audit.now);
        return true;
      });
    },

    async sessionTasks(sessionId, options) {
      let q = db.selectFrom('tasks').selectAll().where('session_id', '=', sessionId);
      if (options.completedOnly === true) q = q.where('state', '=', TaskStates.COMPLETED);
      const before = options.before;
      if (before !== undefined) {
        q = q.where((eb) =>
          eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]),
        );
      }
      // The last `limit` (newest first), returned oldest first.
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
      return rows.reverse().map(rowToTask);
    },
  };
}
