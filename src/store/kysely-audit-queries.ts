/** The read side of the audit log: filtered, newest-first queries with keyset pagination on seq. */
import type { Kysely } from 'kysely';
import type { AuditStore } from '../core/ports/audit-store.ts';
import type { AuditFilter, AuditRecord } from '../core/domain/audit.ts';
import type { Page } from '../core/domain/page.ts';
import type { Database } from './schema.ts';
import { rowToAudit } from './rows.ts';
import { decodeSeqCursor, encodeSeqCursor } from './cursor.ts';

/** Audit queries over Kysely (both dialects); served by the indexes of migration 0002. */
export function createKyselyAuditQueries(db: Kysely<Database>): Pick<AuditStore, 'queryAudit'> {
  return {
    async queryAudit(filter: AuditFilter): Promise<Page<AuditRecord>> {
      let q = db.selectFrom('audit_log').selectAll();
      if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
      if (filter.sessionId !== undefined) q = q.where('session_id', '=', filter.sessionId);
      if (filter.eventType !== undefined) q = q.where('event_type', '=', filter.eventType);
      if (filter.resourceType !== undefined) q = q.where('resource_type', '=', filter.resourceType);
      if (filter.resourceId !== undefined) q = q.where('resource_id', '=', filter.resourceId);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.from !== undefined) q = q.where('timestamp', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('timestamp', '<', filter.to);
      if (filter.cursor !== undefined) q = q.where('seq', '<', decodeSeqCursor(filter.cursor));
      const rows = await q
        .orderBy('seq', 'desc')
        .limit(filter.limit + 1)
        .execute();
      const items = rows.slice(0, filter.limit).map(rowToAudit);
      const last = items[items.length - 1];
      return rows.length > filter.limit && last !== undefined ? { items, nextCursor: encodeSeqCursor(last.seq) } : { items };
    },
  };
}
