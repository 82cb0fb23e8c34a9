/**
 * Streamed output: the runner-side stream (previews at once, chunks stored coalesced)
 * and the preview gate (a watcher is shown only previews that start a chunk at its
 * beginning and continue it without a hole), checked together by replaying what a
 * watcher would print: previews, then for each stored chunk the part past the preview.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOutputStream } from '../../src/core/engine/output-stream.ts';
import { PreviewGate } from '../../src/core/engine/preview-gate.ts';
import type { Timers } from '../../src/core/ports/timers.ts';
import type { OutputPreview, TaskEvent } from '../../src/core/domain/event.ts';
import type { JsonObject } from '../../src/core/domain/json.ts';

/** Timers driven by the test: `fire()` runs the pending timeout. */
function manualTimers(): Timers & { fire(): void; pending(): boolean } {
  let fn: (() => void) | undefined;
  return {
    setTimeout(f) {
      fn = f;
      return {};
    },
    clearTimeout() {
      fn = undefined;
    },
    defer: (f) => f(),
    fire() {
      const f = fn;
      fn = undefined;
      f?.();
    },
    pending: () => fn !== undefined,
  };
}

type Item = { preview: OutputPreview } | { stored: TaskEvent };

function recorder(attempt = 1) {
  const items: Item[] = [];
  let seq = 0;
  const timers = manualTimers();
  const stream = createOutputStream(
    {
      timers,
      preview: (preview) => items.push({ preview }),
      store: (message: string, data: JsonObject) =>
        items.push({
          stored: { taskId: 't', seq: ++seq, type: 'output', state: 'running', message, progress: null, data, createdAt: 0 },
        }),
    },
    { taskId: 't', attempt },
    { intervalMs: 100, maxChars: 10 },
  );
  return { items, timers, stream };
}

/**
 * What a watcher prints of `items` when it goes live at item `from`: the stored events
 * before that are its replayed history (not counted here), previews before it never
 * reach it; after it, previews pass the gate and stored chunks print past the preview.
 */
function watch(items: readonly Item[], from = 0): string {
  const gate = new PreviewGate();
  const shown = new Map<string, number>();
  let printed = '';
  const show = (p: OutputPreview): void => {
    const key = `${p.attempt}:${p.chunk}`;
    shown.set(key, (shown.get(key) ?? 0) + p.text.length);
    printed += p.text;
  };
  items.forEach((item, i) => {
    if (i === from) gate.begin(1);
    if ('stored' in item) {
      const released = gate.stored(item.stored);
      if (i < from) return;
      const d = item.stored.data ?? {};
      const key = `${String(d['attempt'])}:${String(d['chunk'])}`;
      printed += (item.stored.message ?? '').slice(shown.get(key) ?? 0);
      released.forEach(show);
      return;
    }
    if (i >= from) gate.preview(item.preview).forEach(show);
  });
  return printed;
}

describe('output stream', () => {
  it('previews every piece at once and stores one chunk per interval', () => {
    const { items, timers, stream } = recorder();
    stream.write('ab');
    stream.write('cd');
    assert.equal(items.filter((i) => 'stored' in i).length, 0);
    assert.deepEqual(
      items.map((i) => ('preview' in i ? [i.preview.chunk, i.preview.offset, i.preview.text] : null)),
      [
        [0, 0, 'ab'],
        [0, 2, 'cd'],
      ],
    );
    assert.ok(timers.pending());
    timers.fire();
    const stored = items.filter((i): i is { stored: TaskEvent } => 'stored' in i);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.stored.message, 'abcd');
    assert.deepEqual(stored[0]?.stored.data, { attempt: 1, chunk: 0 });
    // The final marker precedes the stored chunk and closes it at its length.
    const marker = items.find((i) => 'preview' in i && i.preview.final);
    assert.ok(marker && 'preview' in marker && marker.preview.offset === 4);
  });

  it('stores a chunk as soon as it reaches the size limit, and flush stores the rest', () => {
    const { items, stream } = recorder();
    stream.write('0123456789xyz');
    stream.write('!');
    stream.flush();
    stream.flush(); // nothing buffered: no empty event
    const stored = items.flatMap((i) => ('stored' in i ? [i.stored.message] : []));
    assert.deepEqual(stored, ['0123456789xyz', '!']);
  });

  it('lets a watcher print the exact text, whether it joined at the start or mid-chunk', () => {
    const { items, timers, stream } = recorder();
    const pieces = ['Hel', 'lo', ', w', 'orld', '. ', 'How', ' are', ' you', '?'];
    pieces.forEach((p, i) => {
      stream.write(p);
      if (i % 3 === 2) timers.fire();
    });
    stream.flush();
    const full = pieces.join('');
    assert.equal(watch(items), full);
    for (let from = 1; from < items.length; from++) {
      // A watcher that joins later prints the text from where it joined, without holes or repeats.
      const printed = watch(items, from);
      const storedBefore = items.slice(0, from).flatMap((i) => ('stored' in i ? [i.stored.message ?? ''] : [])).join('');
      assert.equal(storedBefore + printed, full, `joined at item ${from}`);
    }
  });

  it('drops a chunk whose start the watcher missed and holds later chunks until the stored one is given', () => {
    const gate = new PreviewGate();
    gate.begin(1);
    const p = (chunk: number, offset: number, text: string, final = false): OutputPreview => ({
      kind: 'preview', taskId: 't', attempt: 1, chunk, offset, text, final,
    });
    assert.deepEqual(gate.preview(p(0, 3, 'lo')), []); // mid-chunk: its start was missed
    assert.deepEqual(gate.preview(p(0, 5, '!!', true)), []);
    const next = p(1, 0, 'next');
    assert.deepEqual(gate.preview(next), []); // held: chunk 0 has not been given yet
    const stored = { taskId: 't', seq: 4, type: 'output' as const, state: 'running' as const, message: 'hello!!', progress: null, data: { attempt: 1, chunk: 0 }, createdAt: 0 };
    assert.deepEqual(gate.stored(stored), [next]);
    const more = p(1, 4, ' one');
    assert.deepEqual(gate.preview(more), [more]);
    // A retry starts over at chunk 0 of the next attempt.
    const again = { ...p(0, 0, 'again'), attempt: 2 };
    assert.deepEqual(gate.preview(again), [again]);
  });
});
