/** Reads the audit log page by page, so an export never holds more than one page in memory. */
import type { AuditStore } from '../ports/audit-store.ts';
import type { AuditExportFilter, AuditRecord } from '../domain/audit.ts';

/** Records read per store query during an export. */
export const EXPORT_PAGE_SIZE = 500;

/** Every record matching `filter`, newest first, fetched `pageSize` at a time (keyset cursor). */
export async function* pageThroughAudit(
  store: Pick<AuditStore, 'queryAudit'>,
  filter: AuditExportFilter,
  pageSize: number = EXPORT_PAGE_SIZE,
): AsyncGenerator<AuditRecord> {
  let cursor: string | undefined;
  do {
    const page = await store.queryAudit({ ...filter, limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
