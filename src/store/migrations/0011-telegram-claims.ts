/**
 * Update claims that survive a crash: a claim keeps the update itself until it is
 * handled (`done_at`), and names the process that holds it (`owner`, renewed while
 * it works), so another node, or the same node after a restart, takes over an
 * update whose handler died instead of treating it as handled. Claims made before
 * this migration were handled. Follows: a task the bot follows in a chat (its status
 * message), claimed the same way, so that a restart or another node carries on
 * editing it and posts the result.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('telegram_updates').addColumn('owner', 'text').execute();
  await db.schema.alterTable('telegram_updates').addColumn('payload', 'text').execute();
  await db.schema.alterTable('telegram_updates').addColumn('done_at', 'bigint').execute();
  await sql`update telegram_updates set done_at = claimed_at`.execute(db);
  await db.schema.createIndex('telegram_updates_open').on('telegram_updates').column('done_at').execute();
  await db.schema
    .createTable('telegram_follows')
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('telegram_user_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addPrimaryKeyConstraint('telegram_follows_pk', ['chat_id', 'message_id'])
    .execute();
  await db.schema.createIndex('telegram_follows_open').on('telegram_follows').column('finished_at').execute();
}
