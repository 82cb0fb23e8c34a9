/** SQLite set-up: one file in the data dir, WAL, durable commits, prepared statements reused. */
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type SqliteDatabase } from 'kysely';
import { startWalCheckpointer } from './wal-checkpointer.ts';

/** Distinct SQL texts kept prepared (multi-row inserts make a few hundred variants). */
const STATEMENT_CACHE_SIZE = 2000;

/**
 * Opens the database file. `synchronous = FULL` makes every committed transaction
 * survive power loss, not just a process crash; group commits keep it cheap.
 * `normal` (opted into) flushes only at checkpoints: a crash of the process loses
 * nothing, a power loss the commits since the last checkpoint (see docs/durability.md).
 */
export function createSqliteDialect(file: string, synchronous: 'full' | 'normal'): { dialect: SqliteDialect; afterClose: () => Promise<void> } {
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma(synchronous === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // Checkpoints happen in a worker (see wal-checkpointer.ts), not inside our commits.
  database.pragma('wal_autocheckpoint = 0');
  database.pragma('journal_size_limit = 67108864'); // WAL file shrinks back after checkpoints
  const stopCheckpointer = startWalCheckpointer(file);
  // After Kysely closed the writer: the checkpointer's last checkpoint folds the WAL into the file.
  return { dialect: new SqliteDialect({ database: withStatementCache(database) }), afterClose: stopCheckpointer };
}

/**
 * Kysely prepares every query anew; preparing costs more than running our short
 * statements, so reuse them by SQL text. One connection runs one query at a time
 * (Kysely serializes), so sharing a statement is safe.
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
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
      return statement;
    },
  };
}
