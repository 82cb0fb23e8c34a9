/**
 * Devices (the client's own id, one owner, an optional Ed25519 public key as SPKI DER
 * base64, a trust level) and the single-use challenges they sign to prove themselves.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text')
    .addColumn('trust', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('devices_user').on('devices').columns(['user_id', 'first_seen']).execute();
  // No foreign key to devices: unknown ids get challenges too, so answers reveal nothing.
  await db.schema
    .createTable('device_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('device_challenges_expiry').on('device_challenges').column('expires_at').execute();
  // Revoking a device ends its sessions: find them without a scan.
  await db.schema.createIndex('sessions_device').on('sessions').column('device_id').execute();
}
