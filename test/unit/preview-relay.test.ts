/** Previews between nodes: payloads under PostgreSQL's limit that join back to the same text, and a bounded batcher. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePreviews, encodePreviews } from '../../src/store/postgres/preview-payloads.ts';
import { coalescePreviews, createPreviewBatcher } from '../../src/core/engine/preview-batcher.ts';
import type { OutputPreview } from '../../src/core/domain/event.ts';
import type { Timers } from '../../src/core/ports/timers.ts';
import type { PreviewRelay } from '../../src/core/ports/preview-relay.ts';
import { createRemotePreviews } from '../../src/core/engine/remote-previews.ts';
import { createLocalEventBus } from '../../src/core/engine/local-event-bus.ts';
import { FakeClock } from '../../src/core/testing/fake-clock.ts';
import { ManualTimers } from '../../src/core/testing/manual-timers.ts';

const p = (text: string, offset: number, over: Partial<OutputPreview> = {}): OutputPreview => ({
  kind: 'preview', taskId: 't1', attempt: 1, chunk: 0, offset, text, final: false, ...over,
});

/** Timers that fire only when the test says so. */
function manualTimers(): Timers & { fire(): void } {
  let pending: (() => void) | undefined;
  return {
    setTimeout(fn) {
      pending = fn;
      return {};
    },
    clearTimeout() {
      pending = undefined;
    },
    defer: (fn) => fn(),
    fire() {
      const fn = pending;
      pending = undefined;
      fn?.();
    },
  };
}

describe('preview payloads', () => {
  it('keeps every payload under the limit and joins split text back exactly', () => {
    const text = 'ä😀'.repeat(5000) + '"\\\n'.repeat(1000);
    const payloads = encodePreviews([p(text, 7), p('', text.length + 7, { final: true })]);
    assert.ok(payloads.length > 1);
    for (const body of payloads) assert.ok(Buffer.byteLength(body) <= 7800, `${Buffer.byteLength(body)} bytes`);
    const back = payloads.flatMap(decodePreviews);
    assert.equal(back.filter((x) => !x.final).map((x) => x.text).join(''), text);
    let offset = 7;
    for (const x of back.filter((y) => !y.final)) {
      assert.equal(x.offset, offset, 'pieces are contiguous');
      assert.ok(!/[\ud800-\udbff]$/.test(x.text), 'no piece ends inside a surrogate pair');
      offset += x.text.length;
    }
    assert.equal(back.at(-1)?.final, true);
  });

  it('ignores malformed payloads', () => {
    assert.deepEqual(decodePreviews('not json'), []);
    assert.deepEqual(decodePreviews('[["t",1,0,"x","y",0],{}]'), []);
  });
});

describe('preview batcher', () => {
  it('joins contiguous pieces of a chunk, keeps tasks and finals apart', () => {
    const out = coalescePreviews([p('a', 0), p('x', 0, { taskId: 't2' }), p('b', 1), p('', 2, { final: true }), p('c', 0, { chunk: 1 })]);
    assert.deepEqual(out.map((x) => [x.taskId, x.chunk, x.offset, x.text, x.final]), [
      ['t1', 0, 0, 'ab', false],
      ['t2', 0, 0, 'x', false],
      ['t1', 0, 2, '', true],
      ['t1', 1, 0, 'c', false],
    ]);
  });

  it('sends one batch per interval and drops text beyond its budget', () => {
    const timers = manualTimers();
    const sent: OutputPreview[][] = [];
    const batcher = createPreviewBatcher({ timers, send: (b) => sent.push([...b]) }, { maxChars: 10 });
    for (let i = 0; i < 20; i++) batcher.add(p('ab', i * 2));
    batcher.add(p('', 40, { final: true }));
    assert.equal(sent.length, 0, 'nothing before the interval');
    timers.fire();
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]?.map((x) => x.text), ['abababababab'.slice(0, 10), '']);
    batcher.add(p('cd', 0, { chunk: 1 }));
    timers.fire();
    assert.equal(sent.length, 2, 'the budget is per batch');
  });
});

describe('previews across nodes', () => {
  /** A relay between this node and "elsewhere", recording what this node sends. */
  function fakeRelay() {
    const sent: OutputPreview[][] = [];
    const watched: string[] = [];
    let onWatch: ((taskId: string) => void) | undefined;
    let onPreviews: ((p: readonly OutputPreview[]) => void) | undefined;
    const relay: PreviewRelay = {
      send: (b) => sent.push([...b]),
      subscribe: (l) => ((onPreviews = l), () => (onPreviews = undefined)),
      watching: (id) => watched.push(id),
      onWatching: (l) => ((onWatch = l), () => (onWatch = undefined)),
    };
    return { relay, sent, watched, watchedElsewhere: (id: string) => onWatch?.(id), receive: (p: OutputPreview[]) => onPreviews?.(p) };
  }

  it('relays a task\'s previews only while another node watches it, and hands received ones to local watchers', async () => {
    const clock = new FakeClock();
    const timers = new ManualTimers(clock, () => new Promise((resolve) => setImmediate(resolve)));
    const f = fakeRelay();
    const local = createLocalEventBus();
    const remote = createRemotePreviews({ bus: local, relay: f.relay, timers, clock }, { refreshMs: 1000 });
    remote.bus.preview(p('unwatched', 0));
    await timers.advance(100);
    assert.equal(f.sent.length, 0, 'nobody elsewhere watches: nothing sent');
    f.watchedElsewhere('t1');
    remote.bus.preview(p('seen', 0));
    await timers.advance(100);
    assert.deepEqual(f.sent.map((b) => b.map((x) => x.text)), [['seen']]);
    await timers.advance(3000);
    remote.bus.preview(p('stale', 4));
    await timers.advance(100);
    assert.equal(f.sent.length, 1, 'the announcement expired');

    const got: string[] = [];
    const stop = remote.bus.subscribePreviews('t2', (x) => got.push(x.text));
    assert.deepEqual(f.watched, ['t2'], 'a watcher here is announced at once');
    await timers.advance(1000);
    assert.deepEqual(f.watched, ['t2', 't2'], 'and again while it watches');
    f.receive([p('from elsewhere', 0, { taskId: 't2' })]);
    assert.deepEqual(got, ['from elsewhere']);
    stop();
    await timers.advance(5000);
    assert.equal(f.watched.length, 2, 'no more announcements once it stopped');
    remote.close();
  });
});
