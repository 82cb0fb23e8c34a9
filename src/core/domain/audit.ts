/** Audit records: what is written with every change and denial, and the hash chain they form. */
import type { JsonObject } from './json.ts';

/** Audit record before it is chained. */
export interface AuditInput {
  readonly eventType: AuditEventType;
  readonly userId: string | null;
  readonly sessionId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly action: string;
  readonly status: 'success' | 'failure' | 'denied';
  readonly details: JsonObject;
}

/** An audit record as stored, with its place in the hash chain. */
export interface AuditRecord extends AuditInput {
  readonly seq: number;
  readonly eventId: string;
  readonly timestamp: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** The audit event types of REFERENCE.md. */
export const AuditEventTypes = [
  'session.created',
  'session.deleted',
  'task.submitted',
  'task.started',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'agent.executed',
  'agent.configured',
  'permission.granted',
  'permission.revoked',
  'permission.denied',
  'resource.accessed',
  'resource.modified',
  'resource.deleted',
] as const;

export type AuditEventType = (typeof AuditEventTypes)[number];

/** Outcome of an audit record. */
export type AuditStatus = AuditInput['status'];

/** Filters for reading the audit log; results are newest first (by sequence number). */
export interface AuditFilter {
  readonly userId?: string;
  readonly sessionId?: string;
  readonly eventType?: AuditEventType;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly status?: AuditStatus;
  /** Records at or after this time (ms since the epoch). */
  readonly from?: number;
  /** Records before this time (ms since the epoch, exclusive). */
  readonly to?: number;
  readonly limit: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** The audit filter without paging (exports walk every page). */
export type AuditExportFilter = Omit<AuditFilter, 'limit' | 'cursor'>;

/** The `prev_hash` of the first audit record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The result of walking the audit hash chain: intact, or the first record that does not verify. */
export type AuditVerification =
  | { readonly ok: true; readonly checked: number; readonly headHash: string }
  | { readonly ok: false; readonly checked: number; readonly brokenSeq: number; readonly reason: string };

/** Audit arguments of a store change: written in the same transaction. */
export interface AuditArg {
  readonly records: readonly AuditInput[];
  readonly now: number;
}
