/** Brings a database to the latest schema (run at start). */
import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';
import { SwitchboardError } from '../core/errors.ts';

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/** Applies pending migrations; throws STORE_UNAVAILABLE naming the failed one. */
export async function migrateToLatest(db: Kysely<unknown>, migrationSchema?: string): Promise<void> {
  // On PostgreSQL the bookkeeping tables must be looked up in our own schema: Kysely
  // otherwise finds a same-named table in any schema of the database.
  const migrator = new Migrator({ db, provider, ...(migrationSchema !== undefined ? { migrationTableSchema: migrationSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const why = error instanceof Error ? error.message : String(error);
    const what = failed === undefined ? 'Preparing database migrations failed' : `Database migration ${failed} failed`;
    throw new SwitchboardError('STORE_UNAVAILABLE', `${what}: ${why}`, undefined, { cause: error });
  }
}
