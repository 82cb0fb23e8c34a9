/** How the web UI joins streamed text (web/src/stream-chunks.ts): previews at their offsets, stored output chunks whole, nothing twice. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withOutput, withPreview, type Chunks } from '../../web/src/stream-chunks.ts';

const text = (c: Chunks): string => [...c.values()].join('');
const output = (attempt: number, chunk: number, message: string) => ({ event_type: 'output' as const, message, metadata: { attempt, chunk } });

describe('streamed text in the web UI', () => {
  it('appends previews at their offsets and lets the stored chunk settle it', () => {
    let c: Chunks = new Map();
    c = withPreview(c, { attempt: 1, chunk: 0, offset: 0, text: 'Hel' });
    c = withPreview(c, { attempt: 1, chunk: 0, offset: 3, text: 'lo ' });
    assert.equal(text(c), 'Hello ');
    c = withOutput(c, output(1, 0, 'Hello '));
    assert.equal(text(c), 'Hello ', 'the stored chunk does not repeat the previewed text');
    c = withPreview(c, { attempt: 1, chunk: 1, offset: 0, text: 'world' });
    assert.equal(text(c), 'Hello world');
  });

  it('ignores a repeated preview and waits for the stored chunk across a gap', () => {
    let c: Chunks = new Map();
    c = withPreview(c, { attempt: 1, chunk: 0, offset: 0, text: 'ab' });
    c = withPreview(c, { attempt: 1, chunk: 0, offset: 0, text: 'ab' });
    assert.equal(text(c), 'ab');
    // A reconnect missed 'cd': a later preview past the gap is not glued on wrongly.
    c = withPreview(c, { attempt: 1, chunk: 0, offset: 4, text: 'ef' });
    assert.equal(text(c), 'ab');
    c = withOutput(c, output(1, 0, 'abcdef'));
    assert.equal(text(c), 'abcdef');
  });

  it('keeps events that are not output as they are', () => {
    const c: Chunks = new Map([['1:0', 'x']]);
    assert.equal(withOutput(c, { event_type: 'progress', message: 'half', metadata: null }), c);
  });
});
