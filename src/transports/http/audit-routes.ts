/**
 * /api/audit: query, per-user and per-session activity, streamed export, chain
 * verification. Read-only: no route edits or deletes an audit record. Every
 * permission decision is the runtime's.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Runtime } from '../../core/services/runtime.ts';
import type { AuditRecord } from '../../core/domain/audit.ts';
import type { Page } from '../../core/domain/page.ts';
import {
  auditEventView,
  auditEventsQuery,
  auditExportQuery,
  auditFilterOf,
  auditPage,
  auditToWire,
  auditVerifyView,
  sessionActivityQuery,
  sessionIdParams,
  userActivityQuery,
  userIdParams,
  verificationToWire,
} from '../../wire/audit.ts';
import { EXPORT_CONTENT_TYPE, writeAuditExport } from './audit-stream.ts';
import { errorView } from '../../wire/error.ts';
import { rawStreams } from './raw-stream.ts';

const errors = { 400: errorView, 401: errorView, 403: errorView };
const tags = ['audit'];

const paging = (q: { limit: number; cursor?: string | undefined }) => ({
  limit: q.limit,
  ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
});
const pageToWire = (page: Page<AuditRecord>) => ({ events: page.items.map(auditToWire), next_cursor: page.nextCursor ?? null });

/** Registers the audit routes on `app`. */
export function registerAuditRoutes(app: FastifyInstance, runtime: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const streams = rawStreams(app);

  r.get(
    '/api/audit/events',
    {
      schema: {
        tags,
        summary: 'Audit records, newest first, filtered (needs admin:system)',
        description: 'Keyset pagination: pass `next_cursor` back as `cursor`; `limit` ≤ 500 (default 100).',
        querystring: auditEventsQuery,
        response: { 200: auditPage, ...errors },
      },
    },
    async (req) => pageToWire(await runtime.queryAudit(req.caller, { ...auditFilterOf(req.query), ...paging(req.query) })),
  );

  r.get(
    '/api/audit/users/:user_id/activity',
    {
      schema: {
        tags,
        summary: "One user's audit records, newest first (the user themself, or admin:users)",
        params: userIdParams,
        querystring: userActivityQuery,
        response: { 200: auditPage, ...errors },
      },
    },
    async (req) =>
      pageToWire(
        await runtime.userActivity(req.caller, req.params.user_id, { ...auditFilterOf(req.query), ...paging(req.query) }),
      ),
  );

  r.get(
    '/api/audit/sessions/:session_id/activity',
    {
      schema: {
        tags,
        summary: "One session's audit records, newest first (admin:system, or a caller in that session)",
        params: sessionIdParams,
        querystring: sessionActivityQuery,
        response: { 200: auditPage, ...errors },
      },
    },
    async (req) =>
      pageToWire(
        await runtime.sessionActivity(req.caller, req.params.session_id, { ...auditFilterOf(req.query), ...paging(req.query) }),
      ),
  );

  r.get(
    '/api/audit/export',
    {
      schema: {
        tags,
        summary: 'Every matching audit record, newest first, streamed (needs admin:system)',
        description:
          'Default: one JSON array. `format=ndjson`: `application/x-ndjson`, one record per line. Streamed as ' +
          'read from the database, page by page; a response cut short by a server error is aborted, not ended.',
        querystring: auditExportQuery,
        response: { 200: z.array(auditEventView), ...errors },
      },
    },
    async (req, reply) => {
      // Authorized before any byte is written: a denial is audited and answered 403.
      const records = await runtime.exportAudit(req.caller, auditFilterOf(req.query));
      const headers = { 'content-type': EXPORT_CONTENT_TYPE[req.query.format], 'cache-control': 'no-store' };
      return streams.send(req, reply, { headers, cutShort: 'destroy', name: 'audit export' }, (sink) =>
        writeAuditExport(sink, records, req.query.format),
      );
    },
  );

  r.get(
    '/api/audit/verify',
    {
      schema: {
        tags,
        summary: 'Verify the audit hash chain (needs admin:system)',
        description: '`ok: true` with the head hash, or `ok: false` naming the first broken record and why.',
        response: { 200: auditVerifyView, ...errors },
      },
    },
    async (req) => verificationToWire(await runtime.verifyAudit(req.caller)),
  );
}
