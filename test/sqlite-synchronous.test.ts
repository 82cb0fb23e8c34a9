/**
 * SWITCHBOARD_SQLITE_SYNCHRONOUS: FULL by default (every commit flushed: power-loss
 * safe); NORMAL when opted into, for every commit, with tasks still committed before
 * they are acknowledged (they survive a crash of the process: crash.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../src/store/open-store.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { uuidIds } from '../src/app/node-timers.ts';
import { hashAuditRecord } from '../src/security/audit/audit-chain.ts';

async function synchronousOf(setting: 'full' | 'normal' | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sync-'));
  try {
    const store = await openStore({ kind: 'sqlite', dataDir: dir, ...(setting !== undefined ? { synchronous: setting } : {}) }, { ids: uuidIds, hashAudit: hashAuditRecord });
    try {
      const rows = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      return Number(rows.rows[0]?.synchronous);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite flush setting', () => {
  it('is FULL (2) by default and NORMAL (1) when opted into', async () => {
    assert.equal(await synchronousOf(undefined), 2);
    assert.equal(await synchronousOf('full'), 2);
    assert.equal(await synchronousOf('normal'), 1);
  });

  it('is read from SWITCHBOARD_SQLITE_SYNCHRONOUS, refusing other values', () => {
    const dir = join(tmpdir(), 'sb-sync-config');
    assert.deepEqual(loadConfig({ SWITCHBOARD_DATA_DIR: dir }).database, { kind: 'sqlite', dataDir: dir, synchronous: 'full' });
    assert.equal((loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'normal' }).database as { synchronous: string }).synchronous, 'normal');
    assert.throws(() => loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'off' }), /SWITCHBOARD_SQLITE_SYNCHRONOUS/);
  });
});
