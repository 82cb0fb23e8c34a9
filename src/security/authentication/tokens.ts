/** API tokens: random, ≥128 bits, shown once, stored as a SHA-256 hash (a fast hash is fine for high-entropy secrets). */
import { hash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'sbt_';

/** A new token (192 random bits) with its hash and the short prefix shown in listings. */
export function generateToken(): { token: string; hash: string; displayPrefix: string } {
  const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
  return { token, hash: hashToken(token), displayPrefix: token.slice(0, TOKEN_PREFIX.length + 4) };
}

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex'); // one-shot: cheaper than a Hash object per request
}

export const SESSION_PREFIX = 'sbs_';

/** A new session secret (256 random bits) and its hash; the secret is the bearer credential. */
export function generateSessionSecret(): { secret: string; hash: string } {
  const secret = SESSION_PREFIX + randomBytes(32).toString('base64url');
  return { secret, hash: hashToken(secret) };
}
