/**
 * Runs after the rest of the suite (scripts/run-tests.mjs holds it back): every log
 * line the suite's servers wrote at debug level must be free of credentials — API
 * tokens (`sbt_…`), session secrets (`sbs_…`), and every password or token the tests
 * sent or received (listed by test/helpers/log-capture.ts).
 *
 * Run alone (no captured logs yet), it first produces logs of its own: a server whose
 * users log in, create tokens and sessions and make failed logins.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CREDENTIAL = /\bsb[ts]_[A-Za-z0-9_-]{16,}/g;

const hasLogs = (dir: string): boolean => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.log'));

async function produceLogs(into: string | undefined): Promise<string> {
  const dir = into ?? mkdtempSync(join(tmpdir(), 'switchboard-log-scan-'));
  process.env['SWITCHBOARD_TEST_LOG_DIR'] = dir;
  // Imported after the variable is set: the capture module reads it once.
  const { startTestApp } = await import('./helpers/test-app.ts');
  const t = await startTestApp('sqlite');
  try {
    const password = 'Scan-me-if-you-can-42';
    await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'scan', password, roles: ['developer'] }) });
    await t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'scan', password }) });
    await t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'scan', password: `${password}-wrong` }) });
    await t.request('/api/users/me', { token: 'sbt_not-a-real-token-but-shaped-like-one' });
  } finally {
    await t.close();
  }
  return dir;
}

describe('captured logs hold no credential', () => {
  it('scans every log line of the suite for tokens, session secrets and passwords', async () => {
    const given = process.env['SWITCHBOARD_TEST_LOG_DIR'] || undefined;
    const dir = given !== undefined && hasLogs(given) ? given : await produceLogs(given);
    assert.ok(existsSync(dir), `log dir ${dir} is missing`);
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const secretsFile = join(dir, 'secrets.txt');
    const secrets = existsSync(secretsFile) ? readFileSync(secretsFile, 'utf8').split('\n').filter((s) => s.length >= 8) : [];
    // The scan must have something to scan, or it proves nothing.
    assert.ok(logs.length > 0, 'no log files were captured');
    assert.ok(secrets.length > 0, 'no secrets were recorded by the tests');
    let lines = 0;
    const leaks: string[] = [];
    for (const file of logs) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const line of text.split('\n')) {
        if (line.length === 0) continue;
        lines += 1;
        for (const m of line.matchAll(CREDENTIAL)) leaks.push(`${file}: credential-shaped ${m[0].slice(0, 8)}…`);
        for (const s of secrets) if (line.includes(s)) leaks.push(`${file}: recorded secret ${s.slice(0, 6)}…`);
      }
    }
    assert.ok(lines > 0, 'the captured logs are empty');
    assert.deepEqual(leaks.slice(0, 20), [], `${leaks.length} credential(s) found in ${lines} log lines`);
  });
});
