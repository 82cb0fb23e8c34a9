/**
 * A policy that requires a trusted device, end to end over HTTP on every database:
 * the same user submits to a guarded agent from a session on an approved device
 * (allowed), on a registered device still pending (403, the reason names the trust
 * level, audited), and with an API token (no device: 403); approving the pending
 * device lets its session through at once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { deviceProofMessage } from '../src/core/domain/device.ts';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

const PASSWORD = 'Trusted-devices-9x';

interface Key {
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

function newKey(): Key {
  const pair = generateKeyPairSync('ed25519');
  return { publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey: pair.privateKey };
}

for (const dialect of DIALECTS) {
  describe(`trusted-device policy on ${dialect}`, () => {
    let t: TestApp;
    let apiToken = '';
    const post = (path: string, body: unknown, token: string | null = null) => t.request(path, { method: 'POST', token, body: JSON.stringify(body) });
    const submitAs = (token: string) => post('/api/runtime/tasks/submit', { agent_type: 'echo', prompt: 'guarded' }, token);

    /** A login session bound to `deviceId`, proven with `key`. */
    async function sessionOn(deviceId: string, key: Key): Promise<string> {
      const c = (await (await post('/api/auth/device-challenge', { device_id: deviceId })).json()) as { challenge_id: string; nonce: string };
      const signature = sign(null, Buffer.from(deviceProofMessage(c.challenge_id, c.nonce), 'utf8'), key.privateKey).toString('base64');
      const res = await post('/api/auth/login', { username: 'tess', password: PASSWORD, device_id: deviceId, device_proof: { challenge_id: c.challenge_id, signature } });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { token: string }).token;
    }

    before(async () => {
      t = await startTestApp(dialect);
      assert.equal((await post('/api/users', { username: 'tess', password: PASSWORD, roles: ['developer'] }, t.adminToken)).status, 201);
      const login = (await (await post('/api/auth/login', { username: 'tess', password: PASSWORD })).json()) as { token: string; user_id: string };
      const made = await post(`/api/users/${login.user_id}/tokens`, { name: 'script' }, login.token);
      apiToken = ((await made.json()) as { token: string }).token;
      const policy = await post(
        '/api/policies',
        { id: 'echo-trusted', resource_type: 'agent', resource_id: 'echo', permissions: ['agent:execute'], require_trusted_device: true },
        t.adminToken,
      );
      assert.equal(policy.status, 201, await policy.clone().text());
    });
    after(async () => t.close());

    it('lets a session on an approved device through and refuses a pending device and a token, saying why', async () => {
      const laptop = newKey();
      const phone = newKey();
      const pendingLogin = (await (await post('/api/auth/login', { username: 'tess', password: PASSWORD })).json()) as { token: string };
      for (const [id, key] of [['tess-laptop', laptop], ['tess-phone', phone]] as const) {
        const res = await post('/api/devices', { device_id: id, name: id, public_key: key.publicKey }, pendingLogin.token);
        assert.equal(res.status, 201, await res.clone().text());
      }
      assert.equal((await post('/api/devices/tess-laptop/approve', {}, t.adminToken)).status, 200);

      const onLaptop = await sessionOn('tess-laptop', laptop);
      assert.equal((await submitAs(onLaptop)).status, 202);

      const onPhone = await sessionOn('tess-phone', phone);
      const refused = await submitAs(onPhone);
      assert.equal(refused.status, 403);
      assert.match(((await refused.json()) as { error: { message: string } }).error.message, /requires a trusted device \(device trust is pending\)/);
      const byToken = await submitAs(apiToken);
      assert.equal(byToken.status, 403);
      const denials = (await t.app.store.tasks.listAudit(0, 100_000)).filter(
        (e) => e.eventType === 'permission.denied' && e.resourceType === 'agent' && e.resourceId === 'echo' && e.action === 'agent:execute',
      );
      assert.equal(denials.length, 2);
      assert.ok(denials.some((e) => /device trust is pending/.test(String(e.details['reason']))));

      // Approval applies to the phone's live session at once.
      assert.equal((await post('/api/devices/tess-phone/approve', {}, t.adminToken)).status, 200);
      assert.equal((await submitAs(onPhone)).status, 202);
    });
  });
}
