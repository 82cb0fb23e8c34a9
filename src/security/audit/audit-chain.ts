/**
 * The audit hash chain: hash = SHA-256(prev_hash ‖ canonical record). Editing,
 * deleting or reordering a stored record breaks the chain at that record.
 */
import { createHash } from 'node:crypto';
import type { AuditHasher } from '../../core/ports/audit-hasher.ts';
import type { AuditStore } from '../../core/ports/audit-store.ts';
import { AUDIT_GENESIS_HASH, type AuditRecord, type AuditVerification } from '../../core/domain/audit.ts';
import type { Json } from '../../core/domain/json.ts';

/** JSON with object keys sorted at every level: one byte string per record. */
export function canonicalJson(value: Json | undefined): string {
  if (value === null || value === undefined || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  // Keys holding undefined are dropped, as JSON.stringify (and so the stored row) drops them.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * The record's fields in canonical (sorted) key order, written out directly: it
 * is the string canonicalJson would make of the object below, without building
 * and sorting that object for every record (a few per task on the hot path).
 * `{action, details, event_id, event_type, resource_id, resource_type, seq,
 * session_id, status, timestamp, user_id}`; a test pins it to canonicalJson.
 */
function canonicalRecordBody(r: Parameters<AuditHasher>[0]): string {
  const field = (key: string, v: Json | undefined): string => (v === undefined ? '' : `,"${key}":${canonicalJson(v)}`);
  const body =
    field('action', r.action) +
    field('details', r.details) +
    field('event_id', r.eventId) +
    field('event_type', r.eventType) +
    field('resource_id', r.resourceId) +
    field('resource_type', r.resourceType) +
    field('seq', r.seq) +
    field('session_id', r.sessionId) +
    field('status', r.status) +
    field('timestamp', r.timestamp) +
    field('user_id', r.userId);
  return `{${body.slice(1)}}`;
}

export const hashAuditRecord: AuditHasher = (r) =>
  createHash('sha256').update(r.prevHash).update('\n').update(canonicalRecordBody(r)).digest('hex');

/** Walks the whole chain in order; names the first record that does not verify. */
export async function verifyAuditChain(store: AuditStore, pageSize = 1000): Promise<AuditVerification> {
  let prevHash = AUDIT_GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const page: readonly AuditRecord[] = await store.listAudit(expectedSeq - 1, pageSize);
    for (const r of page) {
      if (r.seq !== expectedSeq) {
        return { ok: false, checked, brokenSeq: expectedSeq, reason: `record ${expectedSeq} is missing` };
      }
      if (r.prevHash !== prevHash) {
        return { ok: false, checked, brokenSeq: r.seq, reason: 'previous-hash link does not match' };
      }
      if (hashAuditRecord(r) !== r.hash) {
        return { ok: false, checked, brokenSeq: r.seq, reason: 'record content does not match its hash' };
      }
      prevHash = r.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (page.length < pageSize) break;
  }
  const head = await store.auditHead();
  if (head.seq > checked) {
    const reason = `the chain ends at record ${checked} but its head says ${head.seq}: records were removed from the end`;
    return { ok: false, checked, brokenSeq: checked + 1, reason };
  }
  if (head.seq < checked) {
    const reason = `records after ${head.seq} were added without going through the chain head`;
    return { ok: false, checked, brokenSeq: head.seq + 1, reason };
  }
  if (head.hash !== prevHash) {
    return { ok: false, checked, brokenSeq: checked, reason: 'the last record does not match the chain head' };
  }
  return { ok: true, checked, headHash: prevHash };
}
