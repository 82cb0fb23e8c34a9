/** Users and API tokens over Kysely (both dialects). Changes carry their audit records in the same transaction. */
import type { Kysely, Transaction } from 'kysely';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { TokenInfo, UserInfo } from '../core/domain/identity.ts';
import { isPermission, isRole } from '../core/domain/permissions.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Principal } from '../core/domain/caller.ts';
import type { ApiTokensTable, Database, UsersTable } from './schema.ts';
import { appendAudit } from './audit-append.ts';
import { createKyselySessionMethods } from './kysely-session-store.ts';

function rowToPrincipal(r: Pick<UsersTable, 'id' | 'username' | 'kind' | 'roles' | 'grants'>): Principal {
  return {
    id: r.id,
    username: r.username,
    kind: r.kind === 'service' ? 'service' : 'user',
    roles: (JSON.parse(r.roles) as string[]).filter(isRole),
    grants: (JSON.parse(r.grants) as string[]).filter(isPermission),
  };
}

type UserRow = Pick<UsersTable, 'id' | 'username' | 'kind' | 'roles' | 'grants' | 'created_at'> & {
  disabled: number;
  has_password: number;
};

function rowToUser(r: UserRow): UserInfo {
  return { ...rowToPrincipal(r), disabled: Number(r.disabled) !== 0, hasPassword: Number(r.has_password) !== 0, createdAt: Number(r.created_at) };
}

function rowToToken(r: Omit<ApiTokensTable, 'token_hash'>): TokenInfo {
  const num = (v: number | null): number | null => (v === null ? null : Number(v));
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    prefix: r.prefix,
    createdAt: Number(r.created_at),
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
  };
}

type AuditArg = { readonly records: readonly AuditInput[]; readonly now: number } | undefined;
const TOKEN_COLUMNS = ['id', 'user_id', 'name', 'prefix', 'created_at', 'expires_at', 'revoked_at'] as const;

export function createKyselyCredentialStore(deps: {
  readonly db: Kysely<Database>;
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
}): CredentialStore {
  const { db } = deps;
  const audited = <T>(audit: AuditArg, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      const out = await work(trx);
      if (audit !== undefined) await appendAudit(trx, deps, audit.records, audit.now);
      return out;
    });
  const selectUsers = () =>
    db
      .selectFrom('users')
      .select(['id', 'username', 'kind', 'roles', 'grants', 'created_at', 'disabled'])
      .select((eb) => eb.case().when('password_hash', 'is', null).then(0).else(1).end().as('has_password'));

  return {
    ...createKyselySessionMethods(deps),

    async countUsers() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async createUser(user, audit) {
      await audited(audit, async (trx) => {
        await trx
          .insertInto('users')
          .values({
            id: user.id,
            username: user.username,
            kind: user.kind,
            roles: JSON.stringify(user.roles),
            grants: JSON.stringify(user.grants),
            password_hash: user.passwordHash ?? null,
            created_at: user.createdAt,
          })
          .execute();
      });
    },

    async createToken(t, audit) {
      await audited(audit, async (trx) => {
        await trx
          .insertInto('api_tokens')
          .values({
            id: t.id,
            user_id: t.userId,
            name: t.name,
            token_hash: t.tokenHash,
            prefix: t.prefix,
            created_at: t.createdAt,
            expires_at: t.expiresAt,
            revoked_at: null,
          })
          .execute();
      });
    },

    async findPrincipalByTokenHash(tokenHash, now) {
      const row = await db
        .selectFrom('api_tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select(['u.id', 'u.username', 'u.kind', 'u.roles', 'u.grants'])
        .where('t.token_hash', '=', tokenHash)
        .where('t.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now)]))
        .where('u.disabled', '=', 0)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToPrincipal(row);
    },

    async findUserByName(username) {
      const row = await db
        .selectFrom('users')
        .select(['id', 'username', 'kind', 'roles', 'grants'])
        .where('username', '=', username)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToPrincipal(row);
    },

    async getUser(userId) {
      const row = await selectUsers().where('id', '=', userId).executeTakeFirst();
      return row === undefined ? undefined : rowToUser(row);
    },

    async listUsers() {
      const rows = await selectUsers().orderBy('created_at').orderBy('id').execute();
      return rows.map(rowToUser);
    },

    async updateUser(userId, patch, audit) {
      return audited(audit, async (trx) => {
        const set = {
          ...(patch.roles !== undefined ? { roles: JSON.stringify(patch.roles) } : {}),
          ...(patch.grants !== undefined ? { grants: JSON.stringify(patch.grants) } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
          ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
        };
        if (Object.keys(set).length === 0) {
          return (await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) !== undefined;
        }
        const res = await trx.updateTable('users').set(set).where('id', '=', userId).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw new NoRows();
        return true;
      }).catch((err: unknown) => {
        if (err instanceof NoRows) return false;
        throw err;
      });
    },

    async listTokens(userId) {
      const rows = await db
        .selectFrom('api_tokens')
        .select(TOKEN_COLUMNS)
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(rowToToken);
    },

    async revokeToken(userId, tokenId, audit) {
      return audited(audit, async (trx) => {
        await trx
          .updateTable('api_tokens')
          .set({ revoked_at: audit.now })
          .where('id', '=', tokenId)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .execute();
        const row = await trx
          .selectFrom('api_tokens')
          .select(TOKEN_COLUMNS)
          .where('id', '=', tokenId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (row === undefined) throw new NoRows();
        return rowToToken(row);
      }).catch((err: unknown) => {
        if (err instanceof NoRows) return undefined;
        throw err;
      });
    },
  };
}

/** Rolls back a transaction whose target row does not exist (so its audit record is not written). */
class NoRows extends Error {}
