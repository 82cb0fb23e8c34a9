/** The AuditStore port: reading the audit chain (writing goes through commits). */
import type { AuditFilter, AuditRecord } from '../domain/audit.ts';
import type { Page } from '../domain/page.ts';

/** Audit chain reading (writing goes through commits). */
export interface AuditStore {
  listAudit(afterSeq: number, limit: number): Promise<readonly AuditRecord[]>;
  /** Records matching the filter, newest first; keyset pagination on the sequence number. */
  queryAudit(filter: AuditFilter): Promise<Page<AuditRecord>>;
  /** The chain head as last written (sequence number and hash). */
  auditHead(): Promise<{ readonly seq: number; readonly hash: string }>;
}
