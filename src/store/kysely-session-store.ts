/** Login sessions and password lookup over Kysely (both dialects): the session half of the CredentialStore. */
import type { Kysely } from 'kysely';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { SessionInfo } from '../core/domain/identity.ts';
import { isPermission, isRole } from '../core/domain/permissions.ts';
import { DeviceTrustLevels } from '../core/domain/caller.ts';
import type { Database, SessionsTable } from './schema.ts';
import { appendAudit } from './audit-append.ts';

type SessionMethods = Pick<CredentialStore, 'findLogin' | 'createSession' | 'touchSession' | 'getSession' | 'listSessions' | 'revokeSession'>;

const SESSION_COLUMNS = ['id', 'user_id', 'device_id', 'created_at', 'last_activity', 'expires_at', 'revoked_at'] as const;

function rowToSession(r: Pick<SessionsTable, (typeof SESSION_COLUMNS)[number]>): SessionInfo {
  return {
    id: r.id,
    userId: r.user_id,
    deviceId: r.device_id,
    createdAt: Number(r.created_at),
    lastActivity: Number(r.last_activity),
    expiresAt: Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

const parseList = (text: string): string[] => JSON.parse(text) as string[];

export function createKyselySessionMethods(deps: {
  readonly db: Kysely<Database>;
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
}): SessionMethods {
  const { db } = deps;
  return {
    async findLogin(username) {
      const r = await db
        .selectFrom('users')
        .select(['id', 'username', 'kind', 'roles', 'grants', 'disabled', 'created_at', 'password_hash'])
        .where('username', '=', username)
        .executeTakeFirst();
      if (r === undefined) return undefined;
      const user = {
        id: r.id,
        username: r.username,
        kind: r.kind === 'service' ? ('service' as const) : ('user' as const),
        roles: parseList(r.roles).filter(isRole),
        grants: parseList(r.grants).filter(isPermission),
        disabled: Number(r.disabled) !== 0,
        hasPassword: r.password_hash !== null,
        createdAt: Number(r.created_at),
      };
      return { user, passwordHash: r.password_hash };
    },

    async createSession(s, audit) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('sessions')
          .values({
            id: s.id,
            secret_hash: s.secretHash,
            user_id: s.userId,
            device_id: s.deviceId,
            created_at: s.createdAt,
            last_activity: s.lastActivity,
            expires_at: s.expiresAt,
            absolute_expires_at: s.absoluteExpiresAt,
            revoked_at: null,
          })
          .execute();
        await appendAudit(trx, deps, audit.records, audit.now);
      });
    },

    async touchSession(secretHash, now, idleMs) {
      const row = await db
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        // The device's trust as it is now (a device counts only for its owner's sessions).
        .leftJoin('devices as d', (j) => j.onRef('d.id', '=', 's.device_id').onRef('d.user_id', '=', 's.user_id'))
        .select(['s.id', 's.user_id', 's.device_id', 's.created_at', 's.last_activity', 's.expires_at', 's.revoked_at', 's.absolute_expires_at'])
        .select(['u.username', 'u.kind', 'u.roles', 'u.grants', 'd.trust as device_trust'])
        .where('s.secret_hash', '=', secretHash)
        .where('s.revoked_at', 'is', null)
        .where('s.expires_at', '>', now)
        .where('u.disabled', '=', 0)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const expiresAt = Math.min(now + idleMs, Number(row.absolute_expires_at));
      // Only moves forward: a concurrent older request never shortens the session.
      await db
        .updateTable('sessions')
        .set({ last_activity: now, expires_at: expiresAt })
        .where('id', '=', row.id)
        .where('revoked_at', 'is', null)
        .where('last_activity', '<', now)
        .execute();
      const principal = {
        id: row.user_id,
        username: row.username,
        kind: row.kind === 'service' ? ('service' as const) : ('user' as const),
        roles: parseList(row.roles).filter(isRole),
        grants: parseList(row.grants).filter(isPermission),
      };
      const deviceTrust = DeviceTrustLevels.find((t) => t === row.device_trust);
      return { principal, session: { ...rowToSession(row), lastActivity: now, expiresAt }, ...(deviceTrust !== undefined ? { deviceTrust } : {}) };
    },

    async getSession(sessionId) {
      const row = await db.selectFrom('sessions').select(SESSION_COLUMNS).where('id', '=', sessionId).executeTakeFirst();
      return row === undefined ? undefined : rowToSession(row);
    },

    async listSessions(filter) {
      let q = db.selectFrom('sessions').select(SESSION_COLUMNS).where('revoked_at', 'is', null).where('expires_at', '>', filter.now);
      if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
      return rows.map(rowToSession);
    },

    async revokeSession(sessionId, audit) {
      return db.transaction().execute(async (trx) => {
        await trx.updateTable('sessions').set({ revoked_at: audit.now }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
        const row = await trx.selectFrom('sessions').select(SESSION_COLUMNS).where('id', '=', sessionId).executeTakeFirst();
        if (row === undefined) return undefined;
        await appendAudit(trx, deps, audit.records, audit.now);
        return rowToSession(row);
      });
    },
  };
}
