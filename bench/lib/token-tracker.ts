/**
 * Which streamed tokens (`t<n> `) an SSE client has seen, when, and how: the text of
 * each output chunk is rebuilt from previews (`{attempt, chunk, offset, text}`) and
 * stored `output` events (the whole chunk, `metadata: {attempt, chunk}`; without
 * that metadata, a stored event is a chunk of its own), and a token counts as seen
 * the first time it is complete in either. Chunks are per task (keys carry the task id). Chunks hold whole model deltas, so a
 * chunk's text starts at a token boundary and a token split across two previews is
 * counted once its second half arrives.
 */

export type SeenBy = 'preview' | 'stored';

interface ChunkText {
  text: string;
  /** Where scanning for complete tokens resumes. */
  scanned: number;
}

const TOKEN = /t(\d+) /g;

export class TokenTracker {
  /** First time token n was seen (ms since the epoch), by token number. */
  readonly seenAt = new Map<number, number>();
  readonly firstBy: Record<SeenBy, number> = { preview: 0, stored: 0 };
  private readonly chunks = new Map<string, ChunkText>();

  private chunk(key: string): ChunkText {
    let c = this.chunks.get(key);
    if (c === undefined) this.chunks.set(key, (c = { text: '', scanned: 0 }));
    return c;
  }

  private scan(c: ChunkText, at: number, by: SeenBy): void {
    TOKEN.lastIndex = c.scanned;
    for (let m = TOKEN.exec(c.text); m !== null; m = TOKEN.exec(c.text)) {
      const n = Number(m[1]);
      if (!this.seenAt.has(n)) {
        this.seenAt.set(n, at);
        this.firstBy[by] += 1;
      }
      c.scanned = TOKEN.lastIndex;
    }
  }

  /** A live preview frame. A preview past a gap (previews missed) waits for its stored chunk. */
  preview(
    p: { readonly task_id: string; readonly attempt: number; readonly chunk: number; readonly offset: number; readonly text: string },
    at: number,
  ): void {
    const c = this.chunk(`${p.task_id}:${p.attempt}:${p.chunk}`);
    if (p.offset > c.text.length) return;
    const end = p.offset + p.text.length;
    if (end <= c.text.length) return;
    c.text = c.text.slice(0, p.offset) + p.text;
    this.scan(c, at, 'preview');
  }

  /** A stored `output` event. */
  stored(
    e: { readonly task_id: string; readonly seq: number; readonly message: string | null; readonly metadata: Record<string, unknown> | null },
    at: number,
  ): void {
    const { attempt, chunk } = e.metadata ?? {};
    const key = typeof attempt === 'number' && typeof chunk === 'number' ? `${e.task_id}:${attempt}:${chunk}` : `${e.task_id}:seq:${e.seq}`;
    const c = this.chunk(key);
    const message = e.message ?? '';
    if (message.length <= c.text.length) return;
    c.text = message;
    this.scan(c, at, 'stored');
  }
}
