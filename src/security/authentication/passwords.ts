/**
 * Passwords: a minimum strength, argon2id hashing (OWASP parameters) in its
 * self-describing encoded form, verification. Passwords and hashes are never
 * logged, returned or put in an error.
 */
import argon2 from 'argon2';
import { SwitchboardError } from '../../core/domain/errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Why the password is too weak, or undefined when it is acceptable. */
export function passwordWeakness(password: string): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `The password must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  const classes = [/[a-z]/u, /[A-Z]/u, /[0-9]/u, /[^a-zA-Z0-9]/u].filter((re) => re.test(password)).length;
  if (classes < 2) {
    return 'The password must mix at least two kinds of characters (lower case, upper case, digits, symbols)';
  }
  if (new Set(password).size < 4) return 'The password must not repeat the same few characters';
  return undefined;
}

/** Throws PASSWORD_TOO_WEAK (with the reason, never the password) when it is not acceptable. */
export function assertPasswordStrength(password: string): void {
  const reason = passwordWeakness(password);
  if (reason !== undefined) throw new SwitchboardError('PASSWORD_TOO_WEAK', reason);
}

/** The argon2id encoded hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash) of a checked password. */
export async function hashPassword(password: string): Promise<string> {
  assertPasswordStrength(password);
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** True when the password matches the encoded hash; false for a malformed hash. */
export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(encoded, password);
  } catch {
    return false;
  }
}
