/** SQLite set-up: one file in the data dir, WAL, durable commits. */
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

/**
 * Opens the database file. `synchronous = FULL` makes every committed transaction
 * survive power loss, not just a process crash; group commits keep it cheap.
 */
export function createSqliteDialect(file: string): SqliteDialect {
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new SqliteDialect({ database });
}
