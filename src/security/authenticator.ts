/**
 * Turns a wire credential into a Caller. Transports call this and nothing else of
 * security. A short positive cache keeps the per-request cost low; revocation takes
 * effect within `cacheMs`.
 */
import { SwitchboardError } from '../core/errors.ts';
import type { Authenticator, Clock, CredentialStore } from '../core/ports.ts';
import type { Principal } from '../core/types.ts';
import { TOKEN_PREFIX, hashToken } from './tokens.ts';


export interface AuthenticatorOptions {
  /** How long a verified token is trusted without a database read (default: 1,000 ms). */
  readonly cacheMs: number;
  /** Cache entries at most (default: 10,000). */
  readonly cacheSize: number;
}

export function createAuthenticator(
  deps: { readonly credentials: CredentialStore; readonly clock: Clock },
  options: AuthenticatorOptions,
): Authenticator {
  const cache = new Map<string, { principal: Principal; until: number }>();
  return {
    async authenticate(bearer) {
      if (bearer === undefined || bearer.length === 0) throw new SwitchboardError('AUTH_REQUIRED');
      if (!bearer.startsWith(TOKEN_PREFIX) || bearer.length > 200) throw new SwitchboardError('AUTH_INVALID');
      const hash = hashToken(bearer);
      const now = deps.clock.now();
      const hit = cache.get(hash);
      if (hit !== undefined && hit.until > now) return { principal: hit.principal, via: 'token' };
      const principal = await deps.credentials.findPrincipalByTokenHash(hash, now);
      if (principal === undefined) {
        cache.delete(hash);
        throw new SwitchboardError('AUTH_INVALID');
      }
      if (cache.size >= options.cacheSize) cache.clear();
      cache.set(hash, { principal, until: now + options.cacheMs });
      return { principal, via: 'token' };
    },
  };
}
