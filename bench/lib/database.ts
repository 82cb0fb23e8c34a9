/**
 * Fresh databases for a bench run: a temp SQLite data dir, or a fresh PostgreSQL
 * schema (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default),
 * dropped afterwards. Every database made is tracked so an interrupted run can
 * still drop its schemas.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Dialect } from './results.ts';
import { makeTempDir, removeTempDir } from './children.ts';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function postgresUrl(): string {
  return process.env['BENCH_DATABASE_URL'] || process.env['TEST_DATABASE_URL'] || DEFAULT_PG_URL;
}

/** The URL with any password hidden, for printing. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** True when PostgreSQL answers within `timeoutMs`. */
export async function postgresReachable(url: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface BenchDatabase {
  readonly dialect: Dialect;
  readonly dataDir: string;
  /** Environment for a Switchboard process using this database. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

const open = new Set<BenchDatabase>();

export function makeBenchDatabase(dialect: Dialect): BenchDatabase {
  const dataDir = makeTempDir(`switchboard-bench-${dialect}-`);
  let dropped = false;
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const url = postgresUrl();
  const db: BenchDatabase = {
    dialect,
    dataDir,
    env:
      dialect === 'sqlite'
        ? { SWITCHBOARD_DATA_DIR: dataDir }
        : { SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: url, SWITCHBOARD_DB_SCHEMA: schema },
    async drop() {
      if (dropped) return;
      dropped = true;
      open.delete(db);
      removeTempDir(dataDir);
      if (dialect !== 'postgres') return;
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
  open.add(db);
  return db;
}

/** Drops every database not dropped yet (after errors and interruptions). */
export async function dropAllDatabases(): Promise<void> {
  for (const db of [...open]) await db.drop().catch(() => undefined);
}
