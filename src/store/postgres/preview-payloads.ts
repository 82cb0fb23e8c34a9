/**
 * Previews as NOTIFY payloads: compact JSON tuples, packed into payloads under
 * PostgreSQL's 8,000-byte limit; a preview too long for one payload is split into
 * contiguous pieces (never inside a surrogate pair), which a watcher joins again.
 */
import type { OutputPreview } from '../../core/domain/event.ts';

type Tuple = [taskId: string, attempt: number, chunk: number, offset: number, text: string, final: 0 | 1];

/** Bytes of one payload at most (PostgreSQL refuses 8,000 and more), room left for the sender's tag. */
export const MAX_PAYLOAD_BYTES = 7_800;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const tuple = (p: OutputPreview): Tuple => [p.taskId, p.attempt, p.chunk, p.offset, p.text, p.final ? 1 : 0];

/** Splits `p` into contiguous previews whose tuples each fit in `budget` bytes. */
function split(p: OutputPreview, budget: number): OutputPreview[] {
  if (bytes(JSON.stringify(tuple(p))) <= budget || p.text.length < 2) return [p];
  let mid = Math.floor(p.text.length / 2);
  const code = p.text.charCodeAt(mid - 1);
  if (code >= 0xd800 && code <= 0xdbff) mid -= 1;
  const head = { ...p, text: p.text.slice(0, mid) };
  const tail = { ...p, offset: p.offset + mid, text: p.text.slice(mid) };
  return [...split(head, budget), ...split(tail, budget)];
}

/** The payload bodies (without the tag) carrying `previews`, in order. */
export function encodePreviews(previews: readonly OutputPreview[], maxBytes = MAX_PAYLOAD_BYTES): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const p of previews.flatMap((x) => split(x, maxBytes - 2))) {
    const item = JSON.stringify(tuple(p));
    const n = bytes(item) + 1;
    if (current.length > 0 && size + n > maxBytes) {
      out.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(item);
    size += n;
  }
  if (current.length > 0) out.push(`[${current.join(',')}]`);
  return out;
}

/** The previews of one payload body; nothing for a malformed one. */
export function decodePreviews(body: string): OutputPreview[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: OutputPreview[] = [];
  for (const t of parsed as unknown[]) {
    if (!Array.isArray(t) || t.length !== 6) continue;
    const [taskId, attempt, chunk, offset, text, final] = t as unknown[];
    if (typeof taskId !== 'string' || typeof text !== 'string') continue;
    if (![attempt, chunk, offset].every((n) => typeof n === 'number' && Number.isSafeInteger(n))) continue;
    out.push({ kind: 'preview', taskId, attempt: attempt as number, chunk: chunk as number, offset: offset as number, text, final: final === 1 });
  }
  return out;
}
