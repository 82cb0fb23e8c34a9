/**
 * The LoginLimiter in the database (used on PostgreSQL, where nodes share it): every
 * failure is a row, and a key's wait is read from its newest `limit` rows within the
 * window, so every node sees the guesses made through all of them. Rows past the
 * window are deleted on the way (the key's own at each failure, everyone's now and then).
 */
import type { Kysely } from 'kysely';
import type { LoginLimiter, LoginLimits } from '../core/ports/login-limiter.ts';
import type { Database } from './schema.ts';

/** A sweep of every key's old rows at most once per this many failures. */
const SWEEP_EVERY = 500;

export function createKyselyLoginLimiter(db: Kysely<Database>, scope: string, limits: LoginLimits): LoginLimiter {
  let sinceSweep = 0;
  const userKey = (username: string): string => `u:${username.toLowerCase()}`;

  async function wait(key: string, limit: number, now: number): Promise<number> {
    const rows = await db
      .selectFrom('login_failures')
      .select('at')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('at', '>', now - limits.windowMs)
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();
    if (rows.length < limit) return 0;
    const oldest = Number(rows[rows.length - 1]?.at ?? now);
    return Math.max(1, oldest + limits.windowMs - now);
  }

  return {
    async retryAfter(username, ip, now) {
      const [u, i] = await Promise.all([wait(userKey(username), limits.perUser, now), wait(`i:${ip}`, limits.perIp, now)]);
      return Math.max(u, i);
    },
    async recordFailure(username, ip, now) {
      const keys = [userKey(username), `i:${ip}`];
      await db.insertInto('login_failures').values(keys.map((key) => ({ scope, key, at: now }))).execute();
      await db.deleteFrom('login_failures').where('scope', '=', scope).where('key', 'in', keys).where('at', '<=', now - limits.windowMs).execute();
      sinceSweep += 1;
      if (sinceSweep >= SWEEP_EVERY) {
        sinceSweep = 0;
        await db.deleteFrom('login_failures').where('scope', '=', scope).where('at', '<=', now - limits.windowMs).execute();
      }
    },
    async recordSuccess(username) {
      await db.deleteFrom('login_failures').where('scope', '=', scope).where('key', '=', userKey(username)).execute();
    },
  };
}
