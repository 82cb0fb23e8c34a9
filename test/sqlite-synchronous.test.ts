/**
 * SQLite durability: by default a write is answered only after the WAL file was
 * flushed (fdatasync, off the event loop) by a flush that began after the write
 * committed; writes released while a flush runs share the next one; reads and
 * progress-only commits wait for none. SWITCHBOARD_SQLITE_SYNCHRONOUS=normal skips
 * the flush altogether. Tasks are committed before they are acknowledged either
 * way (they survive a crash of the process: crash.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore, type OpenedStore } from '../src/store/open-store.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { uuidIds } from '../src/app/node-timers.ts';
import { hashAuditRecord } from '../src/security/audit/audit-chain.ts';
import { claimTasks } from './helpers/test-engine.ts';
import type { FlushFile } from '../src/store/sqlite/wal-sync.ts';
import { TaskStates } from '../src/core/domain/task-states.ts';
import { transition } from '../src/core/domain/transitions.ts';
import type { Task } from '../src/core/domain/task.ts';

/** The real fdatasync, which the test can hold back; records flushes and answers in order. */
function controlledFlush() {
  let holding = false;
  const held: (() => void)[] = [];
  const c = {
    calls: 0,
    log: [] as string[],
    hold(): void {
      holding = true;
    },
    release(): void {
      holding = false;
      for (const run of held.splice(0)) run();
    },
    flushFile: ((fd, done) => {
      c.calls += 1;
      const n = c.calls;
      c.log.push(`flush ${n} started`);
      const run = (): void =>
        fdatasync(fd, (err) => {
          c.log.push(`flush ${n} done`);
          done(err);
        });
      if (holding) held.push(run);
      else run();
    }) as FlushFile,
  };
  return c;
}

async function withStore<T>(setting: 'full' | 'normal' | undefined, flushFile: FlushFile | undefined, use: (store: OpenedStore) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sync-'));
  try {
    const location = { kind: 'sqlite' as const, dataDir: dir, ...(setting !== undefined ? { synchronous: setting } : {}) };
    const store = await openStore(location, { ids: uuidIds, hashAudit: hashAuditRecord, ...(flushFile !== undefined ? { flushFile } : {}) });
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ticks = async (n = 20): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

function pendingTask(now: number): Task {
  return {
    id: uuidIds.uuid(), executionUuid: uuidIds.uuid(), agentType: 'echo', prompt: 'p', context: {},
    sessionId: null, projectId: null, boardTaskId: null, ownerId: 'u1', idempotencyKey: null,
    state: TaskStates.PENDING, attempt: 0, maxAttempts: 1, result: null, error: null, metadata: {},
    progress: null, waiting: null, lastSeq: 1, leaseOwner: null, leaseExpiresAt: null, leaseEpoch: 0,
    runAfter: now, createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
  };
}

const submit = (store: OpenedStore, now: number) =>
  store.tasks.commit({
    now,
    creates: [{ task: pendingTask(now), audit: { eventType: 'task.submitted', userId: 'u1', sessionId: null, resourceType: 'task', resourceId: null, action: 'submit', status: 'success', details: {} } }],
    changes: [],
    audits: [],
  });

describe('SQLite flush', () => {
  it('answers a write only after a flush of the WAL, and lets no read see it before', async () => {
    const flush = controlledFlush();
    await withStore(undefined, flush.flushFile, async (store) => {
      const before = flush.calls;
      flush.hold();
      const pending = submit(store, Date.now()).then(() => flush.log.push('write answered'));
      await ticks();
      assert.equal(flush.calls, before + 1, 'the commit asked for one flush');
      const read = sql<{ n: number }>`select count(*) as n from tasks`.execute(store.db).then((r) => {
        flush.log.push(`read ${Number(r.rows[0]?.n)}`);
      });
      await ticks();
      assert.ok(!flush.log.includes('write answered'), 'not answered while its flush is held');
      assert.ok(!flush.log.some((l) => l.startsWith('read')), 'no read while the write is not on disk');
      flush.release();
      await Promise.all([pending, read]);
      assert.deepEqual(flush.log.slice(-3), [`flush ${before + 1} done`, 'write answered', 'read 1']);
      assert.equal(flush.calls, before + 1, 'the read asked for no flush');
    });
  });

  it('does not flush for a commit of progress events only', async () => {
    const flush = controlledFlush();
    await withStore(undefined, flush.flushFile, async (store) => {
      await submit(store, Date.now());
      const claimed = await claimTasks(store.tasks, { owner: 'n', limit: 1, now: Date.now() + 1000, leaseMs: 60_000, transition: transition({ state: 'pending' }, 'running', 'claim'), describe: () => ({ event: { type: 'state_change' } }) });
      const task = claimed[0]?.task;
      assert.ok(task);
      const before = flush.calls;
      const progress = await store.tasks.commit({ now: Date.now(), creates: [], changes: [{ taskId: task.id, epoch: task.leaseEpoch, inStates: ['running'], set: { progress: 5 }, event: { type: 'progress', progress: 5 } }], audits: [] });
      assert.equal(progress.changes[0]?.applied, true);
      assert.equal(flush.calls, before, 'no flush for the progress-only commit');
      await submit(store, Date.now());
      assert.equal(flush.calls, before + 1, 'the next durable commit flushes (the progress event with it)');
    });
  });

  it('runs the connection with synchronous = NORMAL, and never flushes when SWITCHBOARD_SQLITE_SYNCHRONOUS=normal', async () => {
    for (const setting of [undefined, 'full', 'normal'] as const) {
      const flush = controlledFlush();
      await withStore(setting, flush.flushFile, async (store) => {
        const rows = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
        assert.equal(Number(rows.rows[0]?.synchronous), 1);
        const before = flush.calls;
        await submit(store, Date.now());
        assert.equal(flush.calls - before, setting === 'normal' ? 0 : 1, `flushes for one submit with ${setting ?? 'the default'}`);
      });
    }
  });

  it('is read from SWITCHBOARD_SQLITE_SYNCHRONOUS, refusing other values', () => {
    const dir = join(tmpdir(), 'sb-sync-config');
    assert.deepEqual(loadConfig({ SWITCHBOARD_DATA_DIR: dir }).database, { kind: 'sqlite', dataDir: dir, synchronous: 'full' });
    assert.equal((loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'normal' }).database as { synchronous: string }).synchronous, 'normal');
    assert.throws(() => loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'off' }), /SWITCHBOARD_SQLITE_SYNCHRONOUS/);
  });
});
