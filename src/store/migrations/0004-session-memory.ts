/** Session memory (one row per key, JSON text) and the index a session's history is read by. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('session_memory')
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_memory_pk', ['session_id', 'key'])
    .execute();
  await db.schema.createIndex('tasks_session').on('tasks').columns(['session_id', 'created_at']).execute();
}
