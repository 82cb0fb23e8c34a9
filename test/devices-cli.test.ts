/**
 * `switchboard devices init|list|approve|revoke` and `switchboard login` proving the
 * device with its key, as child processes against a real server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';
import { recordSecret, recordSecretsIn } from './helpers/log-capture.ts';

const PASSWORD = 'Carol-password-33';

const storedToken = (home: string): string => {
  const stored = JSON.parse(readFileSync(join(home, '.config', 'switchboard', 'credentials.json'), 'utf8')) as { token: string };
  recordSecretsIn(stored);
  return stored.token;
};

for (const dialect of DIALECTS) {
  describe(`devices CLI on ${dialect}`, () => {
    let t: TestApp;
    let carolToken = '';
    before(async () => {
      t = await startTestApp(dialect);
      const made = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'carol', password: PASSWORD, roles: ['developer'] }) });
      assert.equal(made.status, 201);
      const id = ((await made.json()) as { id: string }).id;
      const token = await t.request(`/api/users/${id}/tokens`, { method: 'POST', body: JSON.stringify({ name: 'cli' }) });
      assert.equal(token.status, 201);
      carolToken = ((await token.json()) as { token: string }).token;
    });
    after(async () => t.close());

    it('inits a device key, an admin approves and lists it, login proves the device, revoke ends the session', async () => {
      const home = mkdtempSync(join(tmpdir(), 'sb-devices-home-'));
      const init = await cli(t, ['devices', 'init', '--name', 'carol-laptop'], { home, token: carolToken });
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /registered on .*: pending/);
      assert.match(init.stdout, /Key fingerprint: SHA256:/);
      const keyFile = join(home, '.config', 'switchboard', 'device-key.json');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(join(home, '.config', 'switchboard')).mode & 0o777, 0o700);
      const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { device_id: string; public_key: string; private_key: string };
      recordSecret(key.private_key);
      // The private key never leaves the machine.
      assert.ok(!init.stdout.includes(key.private_key) && !init.stderr.includes(key.private_key));
      const mine = (await (await t.request('/api/devices', { token: carolToken })).json()) as { devices: { device_id: string; trust: string; public_key: string }[] };
      assert.deepEqual(mine.devices.map((d) => [d.device_id, d.trust, d.public_key]), [[key.device_id, 'pending', key.public_key]]);

      const approve = await cli(t, ['devices', 'approve', key.device_id]);
      assert.equal(approve.code, 0, approve.stderr);
      assert.match(approve.stdout, /is trusted/);
      const all = await cli(t, ['devices', 'list', '--all']);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, new RegExp(`${key.device_id}\\s+carol-laptop\\s+trusted`));

      const login = await cli(t, ['login', 'carol', '--password-stdin'], { home, token: null, stdin: `${PASSWORD}\n` });
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stdout, new RegExp(`device ${key.device_id}`));
      const session = storedToken(home);
      const caller = await t.app.authenticator.authenticate(session);
      assert.equal(caller.deviceId, key.device_id);
      assert.equal(caller.deviceTrust, 'trusted');
      // Typing the id without the key is refused.
      const typed = await t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'carol', password: PASSWORD, device_id: key.device_id }) });
      assert.equal(typed.status, 401);

      const revoke = await cli(t, ['devices', 'revoke', key.device_id], { home, token: null });
      assert.equal(revoke.code, 0, revoke.stderr);
      assert.match(revoke.stdout, /revoked; 1 session\(s\) ended/);
      assert.equal((await t.request('/api/users/me', { token: session })).status, 401);
    });
  });
}
