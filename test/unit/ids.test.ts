/**
 * Production ids are version-7 UUIDs in creation order: the store's id indexes
 * (tasks, task events, audit event ids) rely on it to grow at their right edge.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uuidIds } from '../../src/app/node-timers.ts';
import { shortId } from '../../src/core/domain/task.ts';

const msOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidIds', () => {
  it('makes version-7 UUIDs carrying the current time', () => {
    const before = Date.now();
    const id = uuidIds.uuid();
    const after = Date.now();
    assert.match(id, UUID_V7);
    const ms = msOf(id);
    assert.ok(ms >= before && ms <= after, `timestamp ${ms} outside ${before}..${after}`);
  });

  it('sorts ids made in later milliseconds after earlier ones, and never repeats one', async () => {
    const ids: string[] = [];
    for (let round = 0; round < 20; round++) {
      const id = uuidIds.uuid();
      ids.push(id);
      // The next id is made once the clock is past this one's millisecond.
      while (Date.now() <= msOf(id)) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual([...ids].sort(), ids);
    const many = Array.from({ length: 10_000 }, () => uuidIds.uuid());
    assert.equal(new Set(many).size, many.length);
  });

  it('shortens ids made together to different short ids (their random end, not their shared time)', () => {
    const ids = Array.from({ length: 100 }, () => uuidIds.uuid());
    const short = ids.map(shortId);
    assert.ok(short.every((x, i) => x.length === 8 && ids[i]?.endsWith(x)));
    assert.equal(new Set(short).size, ids.length);
  });
});
