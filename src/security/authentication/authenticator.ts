/**
 * Turns a wire credential into a Caller. Transports call this and nothing else of
 * security. Two credentials: API tokens (`sbt_…`) and login sessions (`sbs_…`, whose
 * idle deadline moves forward on use). A short positive cache keeps the per-request
 * cost low; this node evicts a user's entries at once when their credentials change,
 * other nodes within `cacheMs`.
 */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Authenticator } from '../../core/ports/authenticator.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { CredentialStore } from '../../core/ports/credential-store.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { SESSION_PREFIX, TOKEN_PREFIX, hashToken } from './tokens.ts';

export interface AuthenticatorOptions {
  /** How long a verified credential is trusted without a database read (default: 1,000 ms). */
  readonly cacheMs: number;
  /** Cache entries at most (default: 10,000). */
  readonly cacheSize: number;
  /** A session ends after this long without a request (default: 24 h). */
  readonly sessionIdleMs?: number;
}

/** An authenticator whose cache can be told that a user's credentials changed. */
export interface CachingAuthenticator extends Authenticator {
  /** Drops every cached credential of this user: the next request reads the database. */
  evictUser(userId: string): void;
}

const DAY_MS = 24 * 3_600_000;

export function createAuthenticator(
  deps: { readonly credentials: CredentialStore; readonly clock: Clock },
  options: AuthenticatorOptions,
): CachingAuthenticator {
  const cache = new Map<string, { caller: Caller; until: number }>();
  const idleMs = options.sessionIdleMs ?? DAY_MS;

  async function lookup(bearer: string, hash: string, now: number): Promise<Caller | undefined> {
    if (bearer.startsWith(TOKEN_PREFIX)) {
      const principal = await deps.credentials.findPrincipalByTokenHash(hash, now);
      return principal === undefined ? undefined : { principal, via: 'token' };
    }
    const found = await deps.credentials.touchSession(hash, now, idleMs);
    if (found === undefined) return undefined;
    const { principal, session, deviceTrust } = found;
    return {
      principal,
      via: 'session',
      sessionId: session.id,
      ...(session.deviceId !== null ? { deviceId: session.deviceId } : {}),
      ...(deviceTrust !== undefined ? { deviceTrust } : {}),
    };
  }

  const inFlight = new Map<string, Promise<Caller | undefined>>();
  // Bumped by every eviction: a lookup that began before one must not refill the cache.
  let generation = 0;

  return {
    evictUser(userId) {
      generation += 1;
      inFlight.clear();
      for (const [hash, entry] of cache) if (entry.caller.principal.id === userId) cache.delete(hash);
    },
    async authenticate(bearer) {
      if (bearer === undefined || bearer.length === 0) throw new SwitchboardError('AUTH_REQUIRED');
      if (!(bearer.startsWith(TOKEN_PREFIX) || bearer.startsWith(SESSION_PREFIX)) || bearer.length > 200) {
        throw new SwitchboardError('AUTH_INVALID');
      }
      const hash = hashToken(bearer);
      const now = deps.clock.now();
      const hit = cache.get(hash);
      if (hit !== undefined && hit.until > now) return hit.caller;
      // One lookup per credential at a time: requests arriving while it runs share it.
      const since = generation;
      let pending = inFlight.get(hash);
      if (pending === undefined) {
        pending = lookup(bearer, hash, now).finally(() => inFlight.delete(hash));
        inFlight.set(hash, pending);
      }
      const caller = await pending;
      if (caller === undefined) {
        cache.delete(hash);
        throw new SwitchboardError('AUTH_INVALID');
      }
      if (since !== generation) return caller;
      if (cache.size >= options.cacheSize) cache.clear();
      cache.set(hash, { caller, until: now + options.cacheMs });
      return caller;
    },
  };
}
