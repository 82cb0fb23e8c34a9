/** `switchboard users …` and `switchboard tokens …` as child processes against a real server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';

for (const dialect of DIALECTS) {
  describe(`users and tokens CLI on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('creates a user, gives them a token, lists, revokes and disables', async () => {
      const weak = await cli(t, ['users', 'create', 'carol', '--role', 'developer', '--password-stdin'], { stdin: 'weak\n' });
      assert.equal(weak.code, 1);
      assert.match(weak.stderr, /PASSWORD_TOO_WEAK|at least 12/);
      assert.ok(!weak.stderr.includes('weak\n'));
      const made = await cli(t, ['users', 'create', 'carol', '--role', 'developer', '--password-stdin', '--json'], { stdin: 'Carol-password-1\n' });
      assert.equal(made.code, 0, made.stderr);
      const carol = JSON.parse(made.stdout) as { id: string; roles: string[]; has_password: boolean };
      assert.deepEqual(carol.roles, ['developer']);
      assert.equal(carol.has_password, true);

      const token = await cli(t, ['tokens', 'create', 'ci', '--user', 'carol', '--expires', '30d']);
      assert.equal(token.code, 0, token.stderr);
      const secret = token.stdout.trim();
      assert.match(secret, /^sbt_/);
      assert.match(token.stderr, /shown only this once/);

      // Carol lists her own tokens with her new token (default --user: herself).
      const list = await cli(t, ['tokens', 'list', '--json'], { token: secret });
      assert.equal(list.code, 0, list.stderr);
      const tokens = JSON.parse(list.stdout) as { id: string; name: string; token?: string }[];
      assert.deepEqual(tokens.map((x) => x.name), ['ci']);
      assert.ok(!list.stdout.includes(secret));
      const table = await cli(t, ['users', 'list']);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /carol\s+developer\s+active/);

      const denied = await cli(t, ['users', 'create', 'mallory', '--role', 'admin'], { token: secret });
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /AUTH_FORBIDDEN|denied/i);

      const second = (await cli(t, ['tokens', 'create', 'laptop', '--user', carol.id])).stdout.trim();
      const revoke = await cli(t, ['tokens', 'revoke', tokens[0]?.id ?? '', '--user', 'carol']);
      assert.equal(revoke.code, 0, revoke.stderr);
      assert.match(revoke.stdout, /revoked/);
      assert.equal((await t.request('/api/users/me', { token: secret })).status, 401);
      assert.equal((await t.request('/api/users/me', { token: second })).status, 200);

      const disable = await cli(t, ['users', 'disable', 'carol']);
      assert.equal(disable.code, 0, disable.stderr);
      assert.match(disable.stdout, /disabled/);
      assert.equal((await t.request('/api/users/me', { token: second })).status, 401);
    });

    it('logs in with a password, uses the stored session, and logs out', async () => {
      const made = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'liam', password: 'Liam-password-22', roles: ['viewer'] }) });
      assert.equal(made.status, 201);
      const home = mkdtempSync(join(tmpdir(), 'sb-login-cli-'));
      const bad = await cli(t, ['login', 'liam', '--password-stdin'], { home, token: null, stdin: 'wrong-Password-1\n' });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /AUTH_INVALID|Invalid username or password/);
      const ok = await cli(t, ['login', 'liam', '--password-stdin'], { home, token: null, stdin: 'Liam-password-22\n' });
      assert.equal(ok.code, 0, ok.stderr);
      const file = join(home, '.config', 'switchboard', 'credentials.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const tokens = await cli(t, ['tokens', 'list', '--json'], { home, token: null });
      assert.equal(tokens.code, 0, tokens.stderr);
      assert.deepEqual(JSON.parse(tokens.stdout), []);
      const out = await cli(t, ['logout'], { home, token: null });
      assert.equal(out.code, 0, out.stderr);
      const sessions = await t.app.store.db.selectFrom('sessions').select('revoked_at').execute();
      assert.ok(sessions.length === 1 && sessions[0]?.revoked_at !== null, 'logout revokes the session on the server');
      const after = await cli(t, ['tokens', 'list'], { home, token: null });
      assert.equal(after.code, 1);
      assert.match(after.stderr, /AUTH_REQUIRED|Authentication is required/);
    });
  });
}
