/** The task cache of a node on a shared database: a refused (possibly stale) version never leaves an older one behind. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskCache } from '../../src/core/engine/task-cache.ts';
import type { Task } from '../../src/core/domain/task.ts';

const task = (state: Task['state'], lastSeq: number): Task => ({ id: 't1', state, lastSeq }) as Task;

describe('task cache', () => {
  it('drops its entry when a commit of the same task is refused because another task was evicted meanwhile', () => {
    const cache = new TaskCache(10);
    cache.put(task('pending', 1));
    const since = cache.epoch;
    // Another node changed some other task while this node committed t1's completion.
    cache.evict(['other']);
    cache.put(task('completed', 3), since);
    assert.equal(cache.get('t1'), undefined, 'the pending version is gone: the next read goes to the database');
  });

  it('keeps the newer version and refuses an older one', () => {
    const cache = new TaskCache(10);
    cache.put(task('running', 2));
    cache.put(task('pending', 1));
    assert.equal(cache.get('t1')?.state, 'running');
  });
});
