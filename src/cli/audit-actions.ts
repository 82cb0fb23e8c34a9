/** What `switchboard audit query|export|verify` do once their arguments are parsed. */
import { collectPages } from './paging.ts';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ExitCodes, ExitError, UsageError } from './cli-errors.ts';
import type { AuditFilterQuery, AuditScope } from './client.ts';
import type { CommandContext } from './actions.ts';
import { formatAuditTable } from './format.ts';

/** The filter flags shared by `audit query` and `audit export`. */
export interface AuditFilterOptions {
  readonly user?: string;
  readonly session?: string;
  readonly eventType?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly status?: string;
  readonly from?: string;
  readonly to?: string;
}

/** Options of `audit query`. */
export interface AuditQueryOptions extends AuditFilterOptions {
  readonly limit?: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

/** Options of `audit export`. */
export interface AuditExportOptions extends AuditFilterOptions {
  readonly format?: string;
  readonly out?: string;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

function filterQuery(o: AuditFilterOptions, omit: 'user' | 'session' | undefined): AuditFilterQuery {
  return {
    ...(o.user !== undefined && omit !== 'user' ? { user_id: o.user } : {}),
    ...(o.session !== undefined && omit !== 'session' ? { session_id: o.session } : {}),
    ...(o.eventType !== undefined ? { event_type: o.eventType } : {}),
    ...(o.resourceType !== undefined ? { resource_type: o.resourceType } : {}),
    ...(o.resourceId !== undefined ? { resource_id: o.resourceId } : {}),
    ...(o.status !== undefined ? { status: o.status } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    ...(o.to !== undefined ? { to: o.to } : {}),
  };
}

/**
 * `audit query`: --user reads that user's activity (allowed for the user themself),
 * else --session that session's, else every record (needs admin:system).
 */
export async function auditQueryAction(ctx: CommandContext, opts: AuditQueryOptions): Promise<number> {
  const scope: AuditScope =
    opts.user !== undefined
      ? { kind: 'user', id: opts.user }
      : opts.session !== undefined
        ? { kind: 'session', id: opts.session }
        : { kind: 'all' };
  const query = { ...filterQuery(opts, scope.kind === 'all' ? undefined : scope.kind), ...(opts.limit !== undefined ? { limit: opts.limit } : {}) };
  const { items: events, next } = await collectPages(
    async (cursor) => {
      const page = await ctx.client.queryAudit(scope, { ...query, ...(cursor !== undefined ? { cursor } : {}) });
      return { items: page.events, next: page.next_cursor };
    },
    opts.cursor,
    opts.all === true,
  );
  if (ctx.json) {
    ctx.out(pretty({ events, next_cursor: next }));
  } else {
    ctx.out(formatAuditTable(events));
    if (next !== null) ctx.note(`more records: switchboard audit query --cursor ${next} (or --all)`);
  }
  return ExitCodes.ok;
}

async function copyToStdout(body: Readable): Promise<void> {
  for await (const chunk of body) {
    if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
  }
}

/** `audit export`: streams every matching record to stdout or --out FILE (written whole or not at all). */
export async function auditExportAction(ctx: CommandContext, opts: AuditExportOptions): Promise<number> {
  const format = opts.format ?? 'json';
  if (format !== 'json' && format !== 'ndjson') throw new UsageError(`--format must be json or ndjson, not ${format}`);
  const stream = await ctx.client.exportAudit(filterQuery(opts, undefined), format, new AbortController().signal);
  const body = Readable.fromWeb(stream as WebReadableStream<Uint8Array>);
  if (opts.out === undefined) {
    await copyToStdout(body);
    return ExitCodes.ok;
  }
  // Written beside the target and renamed at the end: a cut-off export never looks complete.
  const partial = `${opts.out}.partial`;
  try {
    await pipeline(body, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, opts.out);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  ctx.note(`audit export (${format}) written to ${opts.out}`);
  return ExitCodes.ok;
}

/** `audit verify`: exit 0 when the chain is intact, 1 naming the first broken record. */
export async function auditVerifyAction(ctx: CommandContext): Promise<number> {
  const v = await ctx.client.verifyAudit();
  if (ctx.json) ctx.out(pretty(v));
  if (v.ok) {
    if (!ctx.json) ctx.out(`Audit chain intact: ${v.checked} records verified, head ${v.head_hash ?? '?'}`);
    return ExitCodes.ok;
  }
  const seq = v.broken_seq ?? '?';
  throw new ExitError(
    ExitCodes.failure,
    `audit chain broken at record ${seq}: ${v.reason ?? 'unknown reason'} (${v.checked} records before it verify)`,
  );
}
