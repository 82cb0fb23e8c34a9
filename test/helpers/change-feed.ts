/** Two test apps on one PostgreSQL schema talk through the change feed; these wait on it. */
import assert from 'node:assert/strict';
import type { TestApp } from './test-app.ts';
import type { TaskChangeNotice } from '../../src/core/ports/task-change-feed.ts';

/** Resolves on the feed's next notice of `kind` (or at once when it is already up and `kind` is up). */
export function nextNotice(t: TestApp, kind: TaskChangeNotice['kind']): Promise<void> {
  const feed = t.app.store.taskChanges;
  assert.ok(feed !== undefined, 'a PostgreSQL store has a change feed');
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    let done = false;
    stop = feed.subscribe((n) => {
      if (n.kind !== kind || done) return;
      done = true;
      queueMicrotask(() => stop?.());
      resolve();
    });
    if (done) stop();
  });
}

/** Node B speaking with node A's admin token (the shared database's admin). */
export function throughOther(a: TestApp, b: TestApp): TestApp {
  return { ...b, request: (path, init = {}) => b.request(path, { token: a.adminToken, ...init }) };
}
