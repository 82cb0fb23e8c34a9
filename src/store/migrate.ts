/** Brings a database to the latest schema (run at start). */
import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';
import { SwitchboardError } from '../core/errors.ts';

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/** Applies pending migrations; throws STORE_UNAVAILABLE naming the failed one. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new SwitchboardError('STORE_UNAVAILABLE', `Database migration ${failed} failed`, undefined, { cause: error });
  }
}
