/** Users and API tokens over Kysely (both dialects). */
import type { Kysely } from 'kysely';
import type { CredentialStore } from '../core/ports.ts';
import { isPermission, isRole } from '../core/permissions.ts';
import type { Principal } from '../core/types.ts';
import type { Database, UsersTable } from './schema.ts';

function rowToPrincipal(r: Pick<UsersTable, 'id' | 'username' | 'kind' | 'roles' | 'grants'>): Principal {
  return {
    id: r.id,
    username: r.username,
    kind: r.kind === 'service' ? 'service' : 'user',
    roles: (JSON.parse(r.roles) as string[]).filter(isRole),
    grants: (JSON.parse(r.grants) as string[]).filter(isPermission),
  };
}

export function createKyselyCredentialStore(db: Kysely<Database>): CredentialStore {
  return {
    async countUsers() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async createUser(user) {
      await db
        .insertInto('users')
        .values({
          id: user.id,
          username: user.username,
          kind: user.kind,
          roles: JSON.stringify(user.roles),
          grants: JSON.stringify(user.grants),
          created_at: user.createdAt,
        })
        .execute();
    },

    async createToken(t) {
      await db
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
  };
}
