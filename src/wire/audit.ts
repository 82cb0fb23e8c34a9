/** The wire model of the audit API (REFERENCE.md's record fields, snake_case, ISO times) and its mappers. */
import { z } from 'zod';
import { AuditEventTypes, type AuditExportFilter, type AuditRecord, type AuditVerification } from '../core/domain/audit.ts';
import { iso } from './primitives.ts';

const STATUSES = ['success', 'failure', 'denied'] as const;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 time or milliseconds since the epoch → ms; undefined when it is neither. */
export function parseTime(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!ISO_TIME.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

const time = z
  .string()
  .refine((v) => parseTime(v) !== undefined, { message: 'must be an ISO 8601 time or milliseconds since the epoch' });
const id = z.string().min(1).max(200);

/** The filters every audit listing and the export accept. */
export const auditFilterQuery = z.object({
  user_id: id.optional(),
  session_id: id.optional(),
  event_type: z.enum(AuditEventTypes).optional(),
  resource_type: id.optional(),
  resource_id: id.optional(),
  status: z.enum(STATUSES).optional(),
  from: time.optional().describe('Records at or after this time (ISO 8601 or ms since the epoch)'),
  to: time.optional().describe('Records before this time (exclusive; ISO 8601 or ms since the epoch)'),
});

/** GET /api/audit/events: filters plus keyset paging. */
export const auditEventsQuery = auditFilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(500).optional().describe('next_cursor of the previous page'),
});
/** GET /api/audit/users/{user_id}/activity: the path names the user. */
export const userActivityQuery = auditEventsQuery.omit({ user_id: true });
/** GET /api/audit/sessions/{session_id}/activity: the path names the session. */
export const sessionActivityQuery = auditEventsQuery.omit({ session_id: true });
/** GET /api/audit/export: filters plus the output format (no paging: the whole result is streamed). */
export const auditExportQuery = auditFilterQuery.extend({
  format: z.enum(['json', 'ndjson']).default('json').describe('json: one array; ndjson: one record per line'),
});
/** Path parameters of the user activity route. */
export const userIdParams = z.object({ user_id: id });
/** Path parameters of the session activity route. */
export const sessionIdParams = z.object({ session_id: id });

/** One audit record on the wire; `metadata` holds its place in the hash chain. */
export const auditEventView = z.object({
  event_id: z.string(),
  event_type: z.enum(AuditEventTypes),
  timestamp: z.string(),
  user_id: z.string().nullable(),
  session_id: z.string().nullable(),
  resource_type: z.string().nullable(),
  resource_id: z.string().nullable(),
  action: z.string(),
  status: z.enum(STATUSES),
  details: z.record(z.string(), z.unknown()),
  metadata: z.object({ seq: z.number(), prev_hash: z.string(), hash: z.string() }),
});
/** An audit record as the server sends it. */
export type AuditEventView = z.infer<typeof auditEventView>;

/** A page of audit records; `next_cursor` is null on the last page. */
export const auditPage = z.object({ events: z.array(auditEventView), next_cursor: z.string().nullable() });

/** GET /api/audit/verify. */
export const auditVerifyView = z.object({
  ok: z.boolean(),
  checked: z.number().describe('Records verified before the first broken one (all of them when ok)'),
  head_hash: z.string().optional().describe('When ok: the hash of the last record'),
  broken_seq: z.number().optional().describe('When not ok: the first record that does not verify'),
  reason: z.string().optional(),
});
/** A chain verification as the server sends it. */
export type AuditVerifyView = z.infer<typeof auditVerifyView>;

type FilterQuery = Partial<z.infer<typeof auditFilterQuery>>;

/** The domain filter of a validated query (times already checked by the schema). */
export function auditFilterOf(q: FilterQuery): AuditExportFilter {
  const from = q.from === undefined ? undefined : parseTime(q.from);
  const to = q.to === undefined ? undefined : parseTime(q.to);
  return {
    ...(q.user_id !== undefined ? { userId: q.user_id } : {}),
    ...(q.session_id !== undefined ? { sessionId: q.session_id } : {}),
    ...(q.event_type !== undefined ? { eventType: q.event_type } : {}),
    ...(q.resource_type !== undefined ? { resourceType: q.resource_type } : {}),
    ...(q.resource_id !== undefined ? { resourceId: q.resource_id } : {}),
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

/** An audit record in REFERENCE.md's wire form. */
export function auditToWire(r: AuditRecord): AuditEventView {
  return {
    event_id: r.eventId,
    event_type: r.eventType,
    timestamp: iso(r.timestamp),
    user_id: r.userId,
    session_id: r.sessionId,
    resource_type: r.resourceType,
    resource_id: r.resourceId,
    action: r.action,
    status: r.status,
    details: r.details,
    metadata: { seq: r.seq, prev_hash: r.prevHash, hash: r.hash },
  };
}

/** A chain verification on the wire. */
export function verificationToWire(v: AuditVerification): AuditVerifyView {
  return v.ok
    ? { ok: true, checked: v.checked, head_hash: v.headHash }
    : { ok: false, checked: v.checked, broken_seq: v.brokenSeq, reason: v.reason };
}
export type AuditPage = z.infer<typeof auditPage>;
