/** Writes an audit export to the raw response chunk by chunk, honouring backpressure; never holds all records. */
import type { ServerResponse } from 'node:http';
import type { AuditRecord } from '../../core/domain/audit.ts';
import { auditToWire } from '../../wire/audit.ts';

/** Bytes gathered before a write: few syscalls, bounded memory. */
const CHUNK_BYTES = 64 * 1024;

/** The formats of GET /api/audit/export. */
export type ExportFormat = 'json' | 'ndjson';

/** The content type of each export format. */
export const EXPORT_CONTENT_TYPE: Readonly<Record<ExportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * Streams `first` and the rest of `records` as a JSON array or NDJSON. Stops when
 * `signal` aborts (client gone, server closing). A failure after the first byte
 * destroys the response, so a client never takes a cut-off export for a whole one.
 */
export async function writeAuditExport(
  res: ServerResponse,
  first: IteratorResult<AuditRecord>,
  records: AsyncIterator<AuditRecord>,
  format: ExportFormat,
  signal: AbortSignal,
): Promise<void> {
  let buffer = format === 'json' ? '[' : '';
  let count = 0;
  const flush = async (): Promise<void> => {
    const chunk = buffer;
    buffer = '';
    if (chunk === '' || res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      res.once('drain', resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  };
  try {
    for (let next = first; !next.done; next = await records.next()) {
      const json = JSON.stringify(auditToWire(next.value));
      buffer += format === 'json' ? `${count === 0 ? '\n' : ',\n'}${json}` : `${json}\n`;
      count += 1;
      if (buffer.length >= CHUNK_BYTES) await flush();
      if (signal.aborted) {
        await records.return?.();
        res.destroy();
        return;
      }
    }
    if (format === 'json') buffer += count === 0 ? ']\n' : '\n]\n';
    await flush();
    res.end();
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}
