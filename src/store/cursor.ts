/** Opaque keyset-pagination cursors: (created_at, id) in base64url. */
import { SwitchboardError } from '../core/domain/errors.ts';

export interface Cursor {
  readonly createdAt: number;
  readonly id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt}:${c.id}`, 'utf8').toString('base64url');
}

/** Throws VALIDATION_FAILED for a cursor this server did not issue. */
export function decodeCursor(text: string): Cursor {
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const colon = raw.indexOf(':');
  const createdAt = Number(raw.slice(0, colon));
  const id = raw.slice(colon + 1);
  if (colon <= 0 || !Number.isSafeInteger(createdAt) || id.length === 0) {
    throw new SwitchboardError('VALIDATION_FAILED', 'The cursor is not valid', { field: 'cursor' });
  }
  return { createdAt, id };
}

const SEQ_CURSOR = /^seq:(\d{1,15})$/;

/** A keyset cursor on a sequence number (the audit log): the last seq of the page. */
export function encodeSeqCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

/** Throws VALIDATION_FAILED for a sequence cursor this server did not issue. */
export function decodeSeqCursor(text: string): number {
  const m = SEQ_CURSOR.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (m === null) throw new SwitchboardError('VALIDATION_FAILED', 'The cursor is not valid', { field: 'cursor' });
  return Number(m[1]);
}
