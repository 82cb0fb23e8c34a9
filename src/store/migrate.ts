/** Brings a database to the latest schema (run at start). */
import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';
import { SwitchboardError } from '../core/domain/errors.ts';

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/** Attempts in all when preparing fails on a schema dropped concurrently (see below). */
const PREPARE_ATTEMPTS = 3;

/** Applies pending migrations; throws STORE_UNAVAILABLE naming the failed one. */
export async function migrateToLatest(db: Kysely<unknown>, migrationSchema?: string): Promise<void> {
  // On PostgreSQL the bookkeeping tables must be looked up in our own schema: Kysely
  // otherwise finds a same-named table in any schema of the database.
  const migrator = new Migrator({ db, provider, ...(migrationSchema !== undefined ? { migrationTableSchema: migrationSchema } : {}) });
  let outcome = await migrator.migrateToLatest();
  // Kysely's preparation introspects every schema of the database (pg_get_serial_sequence
  // by name); another schema dropped meanwhile (parallel test runs, other tenants) fails
  // it with "schema … does not exist". Nothing was applied then, so trying again is safe.
  for (let attempt = 1; attempt < PREPARE_ATTEMPTS && isConcurrentDrop(outcome); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    outcome = await migrator.migrateToLatest();
  }
  const { error, results } = outcome;
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const why = error instanceof Error ? error.message : String(error);
    const what = failed === undefined ? 'Preparing database migrations failed' : `Database migration ${failed} failed`;
    throw new SwitchboardError('STORE_UNAVAILABLE', `${what}: ${why}`, undefined, { cause: error });
  }
}

function isConcurrentDrop(outcome: { error?: unknown; results?: readonly { status: string }[] | undefined }): boolean {
  if (outcome.error === undefined) return false;
  if (outcome.results?.some((r) => r.status === 'Error') === true) return false;
  const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  return /^(schema|relation) ".*" does not exist$/.test(message);
}
