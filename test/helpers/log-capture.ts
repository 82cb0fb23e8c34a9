/**
 * Log capture for the secret scan: when the test runner sets SWITCHBOARD_TEST_LOG_DIR,
 * every test app logs at debug level into a file there, server processes leave their
 * output there, and the secrets tests handle (passwords sent, tokens received) are
 * listed there, so that test/log-scan.test.ts can check, after the whole suite, that
 * no log line holds one of them.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const LOG_DIR: string | undefined = process.env['SWITCHBOARD_TEST_LOG_DIR'] || undefined;

/** A fresh log file path for one app or process; undefined when logs are not captured. */
export function captureFile(kind: string): string | undefined {
  return LOG_DIR === undefined ? undefined : join(LOG_DIR, `${kind}-${process.pid}-${randomBytes(4).toString('hex')}.log`);
}

const SECRET_KEYS = new Set(['password', 'token', 'new_password']);
const seen = new Set<string>();

/** Remembers a secret value (one per line) for the scan. */
export function recordSecret(value: string): void {
  if (LOG_DIR === undefined || value.length < 8 || seen.has(value) || value.includes('\n')) return;
  seen.add(value);
  appendFileSync(join(LOG_DIR, 'secrets.txt'), `${value}\n`);
}

/** Records every string under a secret-looking key of a JSON value (request bodies, responses). */
export function recordSecretsIn(value: unknown): void {
  if (LOG_DIR === undefined || value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && SECRET_KEYS.has(key)) recordSecret(v);
    else if (typeof v === 'object') recordSecretsIn(v);
  }
}
