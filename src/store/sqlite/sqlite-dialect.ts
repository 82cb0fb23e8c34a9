/** SQLite set-up: one file in the data dir, WAL, durable commits, prepared statements reused. */
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type SqliteDatabase } from 'kysely';
import { startWalCheckpointer } from './wal-checkpointer.ts';
import { FlushingSqliteDialect, WalFlusher, type FlushFile } from './wal-sync.ts';

/** Distinct SQL texts kept prepared (multi-row inserts make a few hundred variants). */
const STATEMENT_CACHE_SIZE = 2000;

/** The opened database: its dialect, what runs after Kysely closed it, and the relaxed-write hook. */
export interface SqliteSetup {
  readonly dialect: SqliteDialect;
  readonly afterClose: () => Promise<void>;
  /** Called inside a connection hold: what it wrote so far needs no flush (survives a process crash only). */
  readonly skipFlush: () => void;
}

/**
 * Opens the database file. Every committed transaction survives power loss, not
 * just a process crash: the connection writes with `synchronous = NORMAL` and
 * the WAL is flushed off the event loop before a write is answered (wal-sync.ts).
 * `normal` (opted into) skips that flush: a crash of the process loses nothing,
 * a power loss the commits since the last checkpoint (see docs/durability.md).
 */
export function createSqliteDialect(file: string, synchronous: 'full' | 'normal', flushFile?: FlushFile): SqliteSetup {
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // Checkpoints happen in a worker (see wal-checkpointer.ts), not inside our commits.
  database.pragma('wal_autocheckpoint = 0');
  database.pragma('journal_size_limit = 67108864'); // WAL file shrinks back after checkpoints
  const stopCheckpointer = startWalCheckpointer(file);
  if (synchronous === 'normal') {
    const dialect = new SqliteDialect({ database: withStatementCache(database, () => undefined) });
    return { dialect, afterClose: stopCheckpointer, skipFlush: () => undefined };
  }
  database.prepare('select 1 from sqlite_master limit 1').get(); // opens (creates) the WAL file
  const wal = new WalFlusher(`${file}-wal`, flushFile);
  const dialect = new FlushingSqliteDialect({ database: withStatementCache(database, () => wal.markDirty()) }, wal);
  // After Kysely closed the writer: the checkpointer's last checkpoint folds the WAL into the file.
  return { dialect, afterClose: stopCheckpointer, skipFlush: () => void wal.takeDirty() };
}

/**
 * Kysely prepares every query anew; preparing costs more than running our short
 * statements, so reuse them by SQL text. One connection runs one query at a time
 * (Kysely serializes), so sharing a statement is safe. `onWrite` is told of every
 * statement about to run that may write.
 */
function withStatementCache(database: BetterSqlite3.Database, onWrite: () => void): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        cache.set(sql, statement);
      }
      // Kysely prepares right before running: a statement that can write needs a flush.
      if (!statement.readonly) onWrite();
      return statement;
    },
  };
}
