/** Reading an SSE event stream as frames, and what a client prints from its previews and stored output. */
import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';

export interface Frame {
  readonly event: string | undefined;
  readonly id: string | undefined;
  readonly data: Record<string, unknown>;
}

/** Reads an SSE response to its end. */
export async function framesOf(res: Response): Promise<Frame[]> {
  assert.equal(res.status, 200);
  const frames: Frame[] = [];
  const parser = createParser({
    onEvent: (m) => frames.push({ event: m.event, id: m.id, data: JSON.parse(m.data) as Record<string, unknown> }),
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  return frames;
}

/** What a client prints: previews as they come, then each stored output chunk past what it previewed. */
export function printed(frames: readonly Frame[]): string {
  const shown = new Map<string, number>();
  let out = '';
  for (const f of frames) {
    if (f.event === 'preview') {
      const key = `${String(f.data['attempt'])}:${String(f.data['chunk'])}`;
      const text = String(f.data['text']);
      shown.set(key, (shown.get(key) ?? 0) + text.length);
      out += text;
    } else if (f.data['event_type'] === 'output') {
      const meta = (f.data['metadata'] ?? {}) as Record<string, unknown>;
      const key = `${String(meta['attempt'])}:${String(meta['chunk'])}`;
      out += String(f.data['message']).slice(shown.get(key) ?? 0);
    }
  }
  return out;
}
