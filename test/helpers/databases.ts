/**
 * The databases every integration suite runs against: SQLite always, PostgreSQL
 * when TEST_DATABASE_URL is set (CI sets it and fails if PostgreSQL is down).
 * Each use gets a fresh SQLite file or a fresh PostgreSQL schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type DialectName = 'sqlite' | 'postgres';

export const DIALECTS: readonly DialectName[] = process.env['TEST_DATABASE_URL'] ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  readonly dialect: DialectName;
  readonly dataDir: string;
  /** Environment for a server process using this database. */
  readonly env: Record<string, string>;
  readonly location:
    | { readonly kind: 'sqlite'; readonly dataDir: string }
    | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };
  drop(): Promise<void>;
}

export function makeTestDatabase(dialect: DialectName): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  if (dialect === 'sqlite') {
    return {
      dialect,
      dataDir,
      env: { SWITCHBOARD_DATA_DIR: dataDir },
      location: { kind: 'sqlite', dataDir },
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env['TEST_DATABASE_URL'];
  if (url === undefined) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    dialect,
    dataDir,
    env: { SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: url, SWITCHBOARD_DB_SCHEMA: schema },
    location: { kind: 'postgres', url, schema },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
