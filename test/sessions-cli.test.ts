/** `switchboard sessions …` as child processes against a real server, with the session `switchboard login` stored. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';
import { waitForState } from './helpers/api.ts';
import { recordSecret } from './helpers/log-capture.ts';

const PASSWORD = 'Liam-password-22';
const IDLE_MS = 120_000;

for (const dialect of DIALECTS) {
  describe(`sessions CLI on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      // Lifetimes from the environment, as a deployment would set them.
      t = await startTestApp(dialect, { env: { SWITCHBOARD_SESSION_IDLE_MS: String(IDLE_MS) } });
      const made = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'liam', password: PASSWORD, roles: ['developer'] }) });
      assert.equal(made.status, 201);
    });
    after(async () => t.close());

    it('works with the stored login session: memory, history, create, show, list and revoke', async () => {
      const home = mkdtempSync(join(tmpdir(), 'sb-sessions-cli-'));
      const as = (args: readonly string[], stdin?: string) => cli(t, args, { home, token: null, ...(stdin !== undefined ? { stdin } : {}) });
      const login = await as(['login', 'liam', '--password-stdin', '--json'], `${PASSWORD}\n`);
      assert.equal(login.code, 0, login.stderr);
      const sid = (JSON.parse(login.stdout) as { session_id: string }).session_id;
      const loginToken = (JSON.parse(readFileSync(join(home, '.config', 'switchboard', 'credentials.json'), 'utf8')) as { token: string }).token;
      recordSecret(loginToken);

      // Child processes are slow to start: independent commands run side by side.
      const [topic, limits, note, notJson, created] = await Promise.all([
        as(['sessions', 'memory', sid, 'set', 'topic', '"rust"']),
        as(['sessions', 'memory', sid, 'set', 'limits', '-'], '{"max": 3}\n'),
        as(['sessions', 'memory', sid, 'set', 'note', 'plain', 'words', '--string']),
        as(['sessions', 'memory', sid, 'set', 'bad', '{oops']),
        as(['sessions', 'create']),
      ]);
      for (const r of [topic, limits, note]) assert.equal(r.code, 0, r.stderr);
      assert.equal(notJson.code, 2);
      assert.match(notJson.stderr, /not JSON/);
      // A new session: its token is printed once on stdout.
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      recordSecret(token);
      assert.match(token, /^sbs_/);
      assert.match(created.stderr, /shown only this once/);
      const newId = /session (\S+) created/.exec(created.stderr)?.[1] ?? '';

      // A task submitted with the stored session runs in it and shows up in its history.
      const res = await t.request('/api/runtime/tasks/submit', { method: 'POST', token: loginToken, body: JSON.stringify({ agent_type: 'echo', prompt: 'hello session' }) });
      assert.equal(res.status, 202);
      const taskId = ((await res.json()) as { task_id: string }).task_id;
      await waitForState(t, taskId, ['completed']);

      const [got, table, history, foreign, shown, listed, denied, all] = await Promise.all([
        as(['sessions', 'memory', sid, 'get', 'limits']),
        as(['sessions', 'memory', sid]),
        as(['sessions', 'history', sid, '--json']),
        cli(t, ['sessions', 'memory', sid], { home, token }),
        as(['sessions', 'show', newId, '--json']),
        as(['sessions', 'list', '--json']),
        as(['sessions', 'list', '--all']),
        cli(t, ['sessions', 'list', '--all', '--json'], { home }),
      ]);
      assert.equal(got.code, 0, got.stderr);
      assert.deepEqual(JSON.parse(got.stdout), { max: 3 });
      assert.match(table.stdout, /^KEY\s+UPDATED\s+VALUE$/m);
      assert.match(table.stdout, /topic\s+\S+\s+"rust"/);
      assert.match(table.stdout, /note\s+\S+\s+"plain words"/);
      assert.equal(history.code, 0, history.stderr);
      assert.deepEqual((JSON.parse(history.stdout) as { task_id: string; prompt: string; result: unknown }[]).map((x) => [x.task_id, x.prompt, x.result]), [
        [taskId, 'hello session', 'hello session'],
      ]);
      // The new session cannot read the first one's memory.
      assert.equal(foreign.code, 1);
      assert.match(foreign.stderr, /SESSION_NOT_FOUND|No such session/);
      const view = JSON.parse(shown.stdout) as { session_id: string; last_activity: string; expires_at: string; token?: string };
      assert.equal(view.session_id, newId);
      assert.equal(view.token, undefined);
      // The idle time from the environment: the deadline is that long after the last request.
      assert.equal(Date.parse(view.expires_at) - Date.parse(view.last_activity), IDLE_MS);
      assert.deepEqual(new Set((JSON.parse(listed.stdout) as { session_id: string }[]).map((s) => s.session_id)), new Set([sid, newId]));
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /AUTH_FORBIDDEN|denied/i);
      assert.ok((JSON.parse(all.stdout) as { session_id: string }[]).some((s) => s.session_id === sid));

      const [revoked, deleted] = await Promise.all([as(['sessions', 'revoke', newId]), as(['sessions', 'memory', sid, 'delete', 'topic'])]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /revoked/);
      assert.equal((await t.request('/api/users/me', { token })).status, 401);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stdout, /topic deleted/);
      assert.equal((await t.request(`/api/runtime/sessions/${sid}/memory/topic`, { token: loginToken })).status, 404);
    });
  });
}
