/**
 * Verification of the live audit chain. verifyAuditChain reads the records and then
 * the head; a record committed in between looks like a truncated chain. So a failed
 * walk is repeated when the head moved while it ran, and only a failure over a
 * quiet chain (or the last of a few tries) is reported.
 */
import type { AuditStore } from '../../core/ports/audit-store.ts';
import type { AuditVerification } from '../../core/domain/audit.ts';
import { verifyAuditChain } from './audit-chain.ts';

/** Walks the chain; retries (at most `tries` times in all) when concurrent writes moved the head. */
export async function verifyLiveAuditChain(store: AuditStore, tries = 3): Promise<AuditVerification> {
  let verdict: AuditVerification = { ok: false, checked: 0, brokenSeq: 1, reason: 'not verified' };
  for (let i = 0; i < tries; i++) {
    const before = await store.auditHead();
    verdict = await verifyAuditChain(store);
    if (verdict.ok) return verdict;
    const after = await store.auditHead();
    if (after.seq === before.seq && after.hash === before.hash) return verdict;
  }
  return verdict;
}
