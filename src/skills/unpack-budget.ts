/**
 * What an unpacked skill may hold, and the checks every archive entry and copied file
 * passes: a confined relative path, and running counts of entries and bytes that are
 * charged as data arrives (never taken from an archive's own headers).
 */
import { SwitchboardError } from '../core/domain/errors.ts';

/** Limits of one skill (defaults: 2,000 entries, 50 MiB unpacked). */
export interface UnpackLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = Object.freeze({ maxEntries: 2000, maxBytes: 50 * 1024 * 1024 });

/** An entry refused, naming it. */
export function refuse(entry: string, reason: string): SwitchboardError {
  return new SwitchboardError('SKILL_ARCHIVE_INVALID', `Refused entry "${printable(entry)}": ${reason}`, { entry: printable(entry), reason });
}

/** The name as it can be shown (control characters escaped, long names cut). */
export function printable(name: string): string {
  const shown = name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}

/**
 * The path segments of an archive entry, or a refusal: no absolute paths, drive
 * letters, backslashes, `..` segments, NUL or control characters. `.` segments and a
 * trailing `/` are dropped; an entry that names the root itself gives [].
 */
export function entrySegments(name: string): string[] {
  if (name.length > 1024) throw refuse(name, 'the path is longer than 1024 characters');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw refuse(name, 'the path holds control characters');
  if (name.startsWith('/')) throw refuse(name, 'absolute paths are not allowed');
  if (/^[a-zA-Z]:/.test(name)) throw refuse(name, 'Windows drive letters are not allowed');
  if (name.includes('\\')) throw refuse(name, 'backslashes are not allowed in paths');
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw refuse(name, '".." segments are not allowed');
  if (segments.some((s) => s.length > 255)) throw refuse(name, 'a path segment is longer than 255 characters');
  return segments;
}

/** Running totals of one unpack. */
export class UnpackBudget {
  entries = 0;
  bytes = 0;
  files = 0;
  constructor(readonly limits: UnpackLimits) {}

  /** Charges one entry (file, folder or anything else). */
  entry(name: string): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw new SwitchboardError('SKILL_TOO_LARGE', `The skill has more than ${this.limits.maxEntries} entries (at "${printable(name)}")`, {
        limit: 'entries',
        max_entries: this.limits.maxEntries,
      });
    }
  }

  /** Charges bytes as they are written. */
  data(name: string, n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxBytes) {
      throw new SwitchboardError('SKILL_TOO_LARGE', `The skill unpacks to more than ${this.limits.maxBytes} bytes (at "${printable(name)}")`, {
        limit: 'bytes',
        max_bytes: this.limits.maxBytes,
      });
    }
  }
}

/** The file mode to give an unpacked file: executable or not, nothing else (no setuid, no group/other write). */
export function fileMode(mode: number | undefined): number {
  return mode !== undefined && (mode & 0o111) !== 0 ? 0o755 : 0o644;
}
