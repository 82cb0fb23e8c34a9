/** Appends audit records to the hash chain inside a caller's transaction (shared by every store). */
import type { Transaction } from 'kysely';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { AuditInput, AuditRecord } from '../core/domain/audit.ts';
import type { Database } from './schema.ts';
import { auditToRow } from './rows.ts';
import { bulkInsert } from './bulk-insert.ts';

const AUDIT_COLUMNS = [
  'seq',
  'event_id',
  'event_type',
  'timestamp',
  'user_id',
  'session_id',
  'resource_type',
  'resource_id',
  'action',
  'status',
  'details',
  'prev_hash',
  'hash',
] as const;

export interface AuditAppendDeps {
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
}

/** Chains and writes audit records; the head row serializes writers across nodes. */
export async function appendAudit(
  trx: Transaction<Database>,
  deps: AuditAppendDeps,
  inputs: readonly AuditInput[],
  now: number,
): Promise<void> {
  if (inputs.length === 0) return;
  const head = deps.isPg
    ? await trx.selectFrom('audit_head').selectAll().where('id', '=', 1).forUpdate().executeTakeFirstOrThrow()
    : await trx.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  const rows = [];
  let seq = head.seq;
  let prevHash = head.hash;
  for (const input of inputs) {
    seq += 1;
    const unchained = { ...input, seq, eventId: deps.ids.uuid(), timestamp: now, prevHash };
    const record: AuditRecord = { ...unchained, hash: deps.hashAudit(unchained) };
    rows.push(auditToRow(record));
    prevHash = record.hash;
  }
  await bulkInsert(trx, 'audit_log', AUDIT_COLUMNS, rows, deps.isPg);
  await trx.updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
}
