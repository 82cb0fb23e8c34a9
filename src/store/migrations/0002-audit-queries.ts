/** Indexes for audit queries: by session, event type, resource and time, each ordered by seq (newest first). */
import type { Kysely } from 'kysely';

// 0001 already has audit_user (user_id, seq). Status has too few values to be worth an index.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_session').on('audit_log').columns(['session_id', 'seq']).execute();
  await db.schema.createIndex('audit_event_type').on('audit_log').columns(['event_type', 'seq']).execute();
  await db.schema
    .createIndex('audit_resource')
    .on('audit_log')
    .columns(['resource_type', 'resource_id', 'seq'])
    .execute();
  await db.schema.createIndex('audit_timestamp').on('audit_log').columns(['timestamp', 'seq']).execute();
}
