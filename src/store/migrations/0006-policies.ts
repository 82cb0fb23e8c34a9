/** Resource policies: lists are JSON text (both dialects), the trusted-device flag 0/1. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('allowed_roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('allowed_users', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('denied_users', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('required_permissions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('require_trusted_device', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
