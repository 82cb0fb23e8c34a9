/** `switchboard roles|grant|revoke` and `switchboard policies …` as child processes against a real server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';

for (const dialect of DIALECTS) {
  describe(`roles, grants and policies CLI on ${dialect}`, () => {
    let t: TestApp;
    let pat: { userId: string; token: string };
    const submit = (token: string) =>
      t.request('/api/runtime/tasks/submit', { method: 'POST', token, body: JSON.stringify({ agent_type: 'echo', prompt: 'hi' }) });

    before(async () => {
      t = await startTestApp(dialect);
      pat = await t.createUser('pat', ['viewer']);
    });
    after(async () => t.close());
    const grantsOfPat = async (): Promise<string[]> =>
      ((await (await t.request('/api/users/me', { token: pat.token })).json()) as { grants: string[] }).grants;

    // Commands that do not depend on each other run side by side: each is a full process start.
    it('lists roles, grants and revokes by username, and manages and explains policies', async () => {
      assert.equal((await submit(pat.token)).status, 403, 'a viewer cannot submit');
      const [roles, grant, grantPermission, made] = await Promise.all([
        cli(t, ['roles']),
        cli(t, ['grant', 'pat', 'developer']),
        cli(t, ['grant', pat.userId, 'skill:install', '--json']),
        cli(t, ['policies', 'create', 'no-pat', '--resource', 'agent:echo', '--deny-user', 'pat', '--description', 'pat may not run echo']),
      ]);
      assert.equal(roles.code, 0, roles.stderr);
      assert.match(roles.stdout, /^developer\s+task:submit task:cancel task:view/m);
      assert.match(roles.stdout, /^guest\s+agent:list skill:list$/m);
      assert.equal(grant.code, 0, grant.stderr);
      assert.match(grant.stdout, /granted role developer to pat/);
      assert.equal(grantPermission.code, 0, grantPermission.stderr);
      assert.equal((JSON.parse(grantPermission.stdout) as { changed: boolean }).changed, true);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /Resource\s+agent:echo/);
      assert.equal((await submit(pat.token)).status, 403, 'a developer now, but denied by the policy');
      assert.deepEqual(await grantsOfPat(), ['skill:install']);

      const dir = mkdtempSync(join(tmpdir(), 'sb-policy-file-'));
      const yaml = join(dir, 'policy.yaml');
      writeFileSync(yaml, 'resource: agent:echo\npermissions: [agent:execute]\ndenied_users: []\nrequire_trusted_device: true\n');
      const json = join(dir, 'apollo.json');
      writeFileSync(json, JSON.stringify({ id: 'from-json', resource_type: 'project', resource_id: 'apollo-*', allowed_roles: ['admin'] }));
      const [list, explain, notYours, fromFile] = await Promise.all([
        cli(t, ['policies', 'list']),
        cli(t, ['policies', 'explain', 'agent:execute', 'agent:echo', '--user', 'pat']),
        cli(t, ['policies', 'explain', 'agent:execute', 'agent:echo', '--user', 'admin'], { token: pat.token }),
        cli(t, ['policies', 'create', '--file', json]),
      ]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, new RegExp(`no-pat\\s+agent:echo\\s+all\\s+-\\s+${pat.userId}`));
      assert.equal(explain.code, 0, explain.stderr);
      assert.match(explain.stdout, /^DENIED: agent:execute on agent:echo/);
      assert.match(explain.stdout, /rule:\s+policy:no-pat/);
      assert.match(explain.stdout, /\[deny\] policy:no-pat/);
      assert.equal(notYours.code, 1);
      assert.match(notYours.stderr, /admin:users/);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.match(fromFile.stdout, /Resource\s+project:apollo-\*/);

      const [updated, del, missing, usage, revoke] = await Promise.all([
        cli(t, ['policies', 'update', 'no-pat', '--file', yaml, '--json']),
        cli(t, ['policies', 'delete', 'from-json']),
        cli(t, ['policies', 'show', 'nope']),
        cli(t, ['policies', 'create', 'x']),
        cli(t, ['revoke', 'pat', 'skill:install']),
      ]);
      assert.equal(updated.code, 0, updated.stderr);
      const after = JSON.parse(updated.stdout) as { denied_users: string[]; require_trusted_device: boolean; description: string };
      assert.deepEqual(after.denied_users, []);
      assert.equal(after.require_trusted_device, true);
      assert.equal(after.description, 'pat may not run echo', 'fields the file does not name are kept');
      const stillDenied = await submit(pat.token);
      assert.equal(stillDenied.status, 403);
      assert.match(((await stillDenied.json()) as { error: { message: string } }).error.message, /requires a trusted device/);
      assert.equal(del.code, 0, del.stderr);
      assert.match(del.stdout, /policy from-json \(project:apollo-\*\) deleted/);
      assert.equal((await t.request('/api/policies/from-json')).status, 404);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /POLICY_NOT_FOUND|No such policy/);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--resource/);
      assert.equal(revoke.code, 0, revoke.stderr);
      assert.match(revoke.stdout, /revoked permission skill:install from pat/);
      assert.deepEqual(await grantsOfPat(), []);
    });
  });
}
