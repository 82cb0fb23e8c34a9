/**
 * The Telegram bot: linked identities, one-time link codes (hash only), the updates
 * handled (one claim per update id, whichever node sees it), the polling offset and
 * lease (one row each in telegram_state), and the bot messages that stand for tasks.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('telegram_links')
    .addColumn('telegram_user_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('telegram_username', 'text')
    .addColumn('linked_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('telegram_links_user').on('telegram_links').column('user_id').execute();
  await db.schema
    .createTable('telegram_link_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createTable('telegram_updates')
    .addColumn('update_id', 'bigint', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('telegram_updates_claimed').on('telegram_updates').column('claimed_at').execute();
  await db.schema
    .createTable('telegram_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema
    .createTable('telegram_prompts')
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('telegram_prompts_pk', ['chat_id', 'message_id'])
    .execute();
  await db.schema
    .createTable('telegram_chat_sessions')
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('telegram_user_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('telegram_chat_sessions_pk', ['chat_id', 'telegram_user_id'])
    .execute();
}
