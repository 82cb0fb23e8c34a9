/** Devices and their challenges over Kysely (both dialects): the DeviceStore. */
import type { Kysely } from 'kysely';
import type { DeviceRecord } from '../core/domain/device.ts';
import type { DeviceStore } from '../core/ports/device-store.ts';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { Ids } from '../core/ports/ids.ts';
import { DeviceTrustLevels, type DeviceTrust } from '../core/domain/caller.ts';
import type { Database, DevicesTable } from './schema.ts';
import { appendAudit } from './audit-append.ts';

const num = (v: number | null): number | null => (v === null ? null : Number(v));
// A value outside the known levels (a hand-edited row) counts as the least trusted one.
const trustOf = (v: string): DeviceTrust => (DeviceTrustLevels as readonly string[]).includes(v) ? (v as DeviceTrust) : 'unknown';

function rowToDevice(r: DevicesTable): DeviceRecord {
  return {
    id: r.id,
    ownerId: r.user_id,
    name: r.name,
    publicKey: r.public_key,
    trust: trustOf(r.trust),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    approvedBy: r.approved_by,
    approvedAt: num(r.approved_at),
    revokedAt: num(r.revoked_at),
  };
}

export function createKyselyDeviceStore(deps: {
  readonly db: Kysely<Database>;
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
}): DeviceStore {
  const { db } = deps;
  return {
    async findDevice(deviceId) {
      const row = await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
      return row === undefined ? undefined : rowToDevice(row);
    },

    async listDevices(ownerId) {
      let q = db.selectFrom('devices').selectAll();
      if (ownerId !== undefined) q = q.where('user_id', '=', ownerId);
      return (await q.orderBy('first_seen').orderBy('id').execute()).map(rowToDevice);
    },

    async insertDevice(d, audit) {
      return db.transaction().execute(async (trx) => {
        const res = await trx
          .insertInto('devices')
          .values({
            id: d.id,
            user_id: d.ownerId,
            name: d.name,
            public_key: d.publicKey,
            trust: d.trust,
            first_seen: d.firstSeen,
            last_seen: d.lastSeen,
            approved_by: d.approvedBy,
            approved_at: d.approvedAt,
            revoked_at: d.revokedAt,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        const inserted = Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
        if (inserted && audit !== undefined) await appendAudit(trx, deps, audit.records, audit.now);
        return inserted;
      });
    },

    async updateDevice(deviceId, fromTrust, patch, audit, options) {
      return db.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('devices')
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.publicKey !== undefined ? { public_key: patch.publicKey } : {}),
            ...(patch.trust !== undefined ? { trust: patch.trust } : {}),
            ...(patch.approvedBy !== undefined ? { approved_by: patch.approvedBy } : {}),
            ...(patch.approvedAt !== undefined ? { approved_at: patch.approvedAt } : {}),
          })
          .where('id', '=', deviceId)
          .where('trust', 'in', fromTrust)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return undefined;
        if (options?.endSessions === true) {
          await trx.updateTable('sessions').set({ revoked_at: audit.now }).where('device_id', '=', deviceId).where('revoked_at', 'is', null).execute();
        }
        await appendAudit(trx, deps, audit.records, audit.now);
        const row = await trx.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow();
        return rowToDevice(row);
      });
    },

    async touchDevice(deviceId, now) {
      await db.updateTable('devices').set({ last_seen: now }).where('id', '=', deviceId).where('last_seen', '<', now).execute();
    },

    async revokeDevice(deviceId, auditFor) {
      return db.transaction().execute(async (trx) => {
        const probe = auditFor(0);
        const res = await trx
          .updateTable('devices')
          .set({ trust: 'revoked', revoked_at: probe.now })
          .where('id', '=', deviceId)
          .where('trust', '!=', 'revoked')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return undefined;
        // Every live session on the device ends with it; later bindings see the device revoked.
        const ended = await trx
          .updateTable('sessions')
          .set({ revoked_at: probe.now })
          .where('device_id', '=', deviceId)
          .where('revoked_at', 'is', null)
          .returning('user_id')
          .execute();
        const audit = auditFor(ended.length);
        await appendAudit(trx, deps, audit.records, audit.now);
        const row = await trx.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow();
        return { device: rowToDevice(row), sessionCount: ended.length, sessionUserIds: [...new Set(ended.map((s) => s.user_id))] };
      });
    },

    async createChallenge(c, now) {
      // Expired challenges are useless: dropping them here keeps the table at about a minute's worth.
      await db.deleteFrom('device_challenges').where('expires_at', '<=', now).execute();
      await db
        .insertInto('device_challenges')
        .values({ id: c.challengeId, device_id: c.deviceId, nonce: c.nonce, expires_at: c.expiresAt, used_at: null })
        .execute();
    },

    async consumeChallenge(challengeId, deviceId, now) {
      const row = await db
        .updateTable('device_challenges')
        .set({ used_at: now })
        .where('id', '=', challengeId)
        .where('device_id', '=', deviceId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('nonce')
        .executeTakeFirst();
      return row?.nonce;
    },
  };
}
