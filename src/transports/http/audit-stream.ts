/** An audit export, written chunk by chunk as it is read; never holds all records. */
import type { AuditRecord } from '../../core/domain/audit.ts';
import { auditToWire } from '../../wire/audit.ts';
import type { RawSink } from './raw-stream.ts';

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
 * Writes `records` as a JSON array or NDJSON, gathered into chunks. Stops reading
 * when the stream is cut short (client gone, server closing); a failure propagates,
 * so the raw stream destroys the response rather than end a cut-off export.
 */
export async function writeAuditExport(sink: RawSink, records: AsyncIterable<AuditRecord>, format: ExportFormat): Promise<void> {
  let buffer = format === 'json' ? '[' : '';
  let count = 0;
  const flush = async (): Promise<void> => {
    const chunk = buffer;
    buffer = '';
    if (chunk !== '') await sink.write(chunk);
  };
  for await (const record of records) {
    const json = JSON.stringify(auditToWire(record));
    buffer += format === 'json' ? `${count === 0 ? '\n' : ',\n'}${json}` : `${json}\n`;
    count += 1;
    if (buffer.length >= CHUNK_BYTES) await flush();
    if (sink.signal.aborted) return; // leaving the loop ends the read
  }
  if (format === 'json') buffer += count === 0 ? ']\n' : '\n]\n';
  await flush();
}
