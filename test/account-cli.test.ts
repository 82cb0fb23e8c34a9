/** `switchboard whoami` and `switchboard password` as child processes against a real server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OLD = 'Nora-password-11';

/**
 * Runs `switchboard password` on a real pseudo-terminal (util-linux `script`), typing
 * each answer once its prompt shows; returns everything the terminal displayed.
 */
async function passwordOnTerminal(url: string, token: string, answers: readonly [RegExp, string][]): Promise<{ code: number | null; screen: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHBOARD_')) env[k] = v;
  const home = mkdtempSync(join(tmpdir(), 'sb-tty-home-'));
  Object.assign(env, { HOME: home, SWITCHBOARD_DATA_DIR: join(home, 'data'), SWITCHBOARD_URL: url, SWITCHBOARD_TOKEN: token, NO_COLOR: '1' });
  const child = spawn('script', ['-qfec', `'${process.execPath}' --import tsx src/app/main.ts password`, '/dev/null'], { cwd: ROOT, env });
  let screen = '';
  let next = 0;
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const onOutput = (d: Buffer): void => {
    screen += d.toString();
    const step = answers[next];
    // Type the answer once its prompt is on screen (the prompt sets the terminal to raw mode first).
    if (step !== undefined && step[0].test(screen)) {
      next += 1;
      child.stdin.write(`${step[1]}\r`);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const code = await closed;
  return { code, screen };
}
const NEW = 'Nora-changed-pass-22';

for (const dialect of DIALECTS) {
  describe(`account CLI on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    const login = (username: string, password: string) =>
      t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username, password }) });

    it('whoami shows the user of the credential, as text and as JSON', async () => {
      const { token } = await t.createUser('wendy', ['viewer']);
      const [text, json, none] = await Promise.all([
        cli(t, ['whoami'], { token }),
        cli(t, ['whoami', '--json'], { token }),
        cli(t, ['whoami'], { token: null }),
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /User\s+wendy \(user\)/);
      assert.match(text.stdout, /Roles\s+viewer/);
      const me = JSON.parse(json.stdout) as { username: string; roles: string[]; has_password: boolean };
      assert.deepEqual([me.username, me.roles, me.has_password], ['wendy', ['viewer'], false]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /AUTH_REQUIRED/);
      assert.ok(!none.stderr.includes('    at '), 'no stack trace');
    });

    it('changes your own password from stdin: checks the current one, ends the other sessions', async () => {
      const made = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'nora', password: OLD, roles: ['developer'] }) });
      assert.equal(made.status, 201);
      const first = (await (await login('nora', OLD)).json()) as { token: string; session_id: string };
      const other = (await (await login('nora', OLD)).json()) as { token: string };

      const [oneLine, wrong] = await Promise.all([
        cli(t, ['password', '--password-stdin'], { token: first.token, stdin: `${NEW}\n` }),
        cli(t, ['password', '--password-stdin'], { token: first.token, stdin: `not-the-Password-1\n${NEW}\n` }),
      ]);
      assert.equal(oneLine.code, 2, 'an account with a password must give the current one first');
      assert.match(oneLine.stderr, /current password and then the new one/);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /CURRENT_PASSWORD_WRONG/);
      assert.ok(!wrong.stderr.includes(NEW) && !wrong.stderr.includes('not-the-Password-1'), 'no password in the message');
      assert.equal((await login('nora', OLD)).status, 201, 'nothing changed yet');

      const weak = await cli(t, ['password', '--password-stdin'], { token: first.token, stdin: `${OLD}\nshort\n` });
      assert.equal(weak.code, 1);
      assert.match(weak.stderr, /PASSWORD_TOO_WEAK|at least 12/);

      const ok = await cli(t, ['password', '--password-stdin', '--json'], { token: first.token, stdin: `${OLD}\n${NEW}\n` });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((JSON.parse(ok.stdout) as { username: string }).username, 'nora');
      assert.equal((await login('nora', OLD)).status, 401);
      assert.equal((await login('nora', NEW)).status, 201);
      assert.equal((await t.request('/api/users/me', { token: first.token })).status, 200, 'the calling session stays signed in');
      assert.equal((await t.request('/api/users/me', { token: other.token })).status, 401, 'the other session ended');
    });

    it('prompts on a terminal without echoing what is typed', async () => {
      const made = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'tess', password: OLD, roles: ['viewer'] }) });
      assert.equal(made.status, 201);
      const session = (await (await login('tess', OLD)).json()) as { token: string };
      const mismatch = await passwordOnTerminal(t.url, session.token, [
        [/Current password: /, OLD],
        [/New password: /, NEW],
        [/Repeat the new password: /, `${NEW}x`],
      ]);
      assert.equal(mismatch.code, 2, mismatch.screen);
      assert.match(mismatch.screen, /the two new passwords differ; nothing changed/);
      const ok = await passwordOnTerminal(t.url, session.token, [
        [/Current password: /, OLD],
        [/New password: /, NEW],
        [/Repeat the new password: /, NEW],
      ]);
      assert.equal(ok.code, 0, ok.screen);
      assert.match(ok.screen, /Password changed for tess/);
      assert.ok(!ok.screen.includes(OLD) && !ok.screen.includes(NEW), `nothing typed is echoed: ${JSON.stringify(ok.screen)}`);
      assert.equal((await login('tess', NEW)).status, 201);
    });

    it('sets a first password for an account that has none with one line on stdin', async () => {
      const { token } = await t.createUser('otto', ['viewer']);
      const r = await cli(t, ['password'], { token, stdin: `${NEW}\n` });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Password set for otto/);
      assert.equal((await login('otto', NEW)).status, 201);

      // Logged in with the new password, `logout --json` says which session ended.
      const home = mkdtempSync(join(tmpdir(), 'sb-account-cli-'));
      const inside = await cli(t, ['login', 'otto', '--password-stdin', '--json'], { home, token: null, stdin: `${NEW}\n` });
      assert.equal(inside.code, 0, inside.stderr);
      const sid = (JSON.parse(inside.stdout) as { session_id: string }).session_id;
      const out = await cli(t, ['logout', '--json'], { home, token: null });
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), { session_id: sid, logged_out: true });
    });
  });
}
