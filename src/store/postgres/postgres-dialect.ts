/** PostgreSQL set-up: a pool, int8 as numbers, an optional schema (used by tests to isolate runs). */
import pg from 'pg';
import { PostgresDialect } from 'kysely';

const INT8_OID = 20;

/** Parses int8 as number: our int8 columns hold millisecond timestamps and counters, far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  readonly url: string;
  /** Schema to create and use (default: the server's search_path). */
  readonly schema?: string;
  readonly poolSize?: number;
}

export async function createPostgresDialect(options: PostgresOptions): Promise<PostgresDialect> {
  if (options.schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error('Invalid PostgreSQL schema name');
    const admin = new pg.Client({ connectionString: options.url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${options.schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types,
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return new PostgresDialect({ pool });
}
