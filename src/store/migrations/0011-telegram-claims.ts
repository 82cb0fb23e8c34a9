/**
 * Update claims that survive a crash: a claim keeps the update itself until it is
 * handled (`done_at`), and names the process that holds it (`owner`, renewed while
 * it works), so another node, or the same node after a restart, takes over an
 * update whose handler died instead of treating it as handled. Claims made before
 * this migration were handled.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('telegram_updates').addColumn('owner', 'text').execute();
  await db.schema.alterTable('telegram_updates').addColumn('payload', 'text').execute();
  await db.schema.alterTable('telegram_updates').addColumn('done_at', 'bigint').execute();
  await sql`update telegram_updates set done_at = claimed_at`.execute(db);
  await db.schema.createIndex('telegram_updates_open').on('telegram_updates').column('done_at').execute();
}
