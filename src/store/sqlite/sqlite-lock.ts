/**
 * One server per SQLite database. The store trusts that it is the only writer: its
 * task cache serves state reads without a round trip, and a restarted node takes
 * the tasks leased under its id as its own orphans. A second live server on the
 * same file would break both (stale state reads, the first server's running tasks
 * started again), so it is refused at start.
 *
 * The lock is an exclusive SQLite lock on `<database>.lock`, a file of its own:
 * the kernel drops it when the process ends, even by SIGKILL, so no stale lock is
 * ever left to clean up. The holder's pid sits beside it, for the error message.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

/** Another live server holds the database. */
export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError';
}

export interface SqliteLock {
  release(): void;
}

export function lockSqliteDatabase(file: string): SqliteLock {
  const lockFile = `${file}.lock`;
  const pidFile = `${file}.pid`;
  // No busy wait: a live holder does not go away by waiting.
  const handle = new BetterSqlite3(lockFile, { timeout: 0 });
  try {
    handle.pragma('locking_mode = EXCLUSIVE');
    handle.exec('begin exclusive');
  } catch (err) {
    handle.close();
    if (!isBusy(err)) throw err;
    const pid = holderPid(pidFile);
    throw new DatabaseInUseError(
      `Another Switchboard server${pid === undefined ? '' : ` (pid ${pid})`} is using the database ${file}. ` +
        'Stop it first, or give this server its own SWITCHBOARD_DATA_DIR (several servers share one PostgreSQL database, not one SQLite file).',
    );
  }
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      rmSync(pidFile, { force: true });
      handle.close(); // ends the transaction and drops the lock
    },
  };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function holderPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
