/**
 * Devices on every database: registration with an Ed25519 key (pending), approval
 * (trusted, visible in Caller.deviceTrust at once), proofs at login (wrong signature,
 * replay, expiry and another device's challenge all refused and audited), owner
 * approval only when configured, revocation ending the device's sessions at once,
 * and another user's device id refused without its proof.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { deviceProofMessage } from '../src/core/domain/device.ts';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

const PASSWORD = 'Devices-are-fun-42';

interface WireDevice { device_id: string; name: string; owner_id: string; trust: string; public_key: string | null; key_fingerprint: string | null; first_seen: string; last_seen: string; approved_by: string | null }
interface WireChallenge { challenge_id: string; nonce: string; expires_at: string }
interface Key { readonly publicKey: string; readonly privateKey: KeyObject }

function newKey(): Key {
  const pair = generateKeyPairSync('ed25519');
  return { publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey: pair.privateKey };
}

const signChallenge = (key: Key, c: WireChallenge): string =>
  sign(null, Buffer.from(deviceProofMessage(c.challenge_id, c.nonce), 'utf8'), key.privateKey).toString('base64');

const errorCode = async (res: Response): Promise<string> => ((await res.json()) as { error: { code: string } }).error.code;

for (const dialect of DIALECTS) {
  describe(`devices on ${dialect}`, () => {
    let t: TestApp;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const users: Record<string, { id: string; token: string }> = {};
    let deviceCounter = 0;
    const newDeviceId = (): string => `dev-${dialect}-${++deviceCounter}-${Math.random().toString(36).slice(2, 8)}`;

    const post = (path: string, body: unknown, token: string | null) => t.request(path, { method: 'POST', token, body: JSON.stringify(body) });
    const challenge = async (deviceId: string): Promise<WireChallenge> => {
      const res = await post('/api/auth/device-challenge', { device_id: deviceId }, null);
      assert.equal(res.status, 201);
      return (await res.json()) as WireChallenge;
    };
    const login = (username: string, extra: Record<string, unknown> = {}) => post('/api/auth/login', { username, password: PASSWORD, ...extra }, null);
    const loginWithDevice = async (username: string, deviceId: string, key: Key) => {
      const c = await challenge(deviceId);
      return login(username, { device_id: deviceId, device_proof: { challenge_id: c.challenge_id, signature: signChallenge(key, c) } });
    };
    const register = async (username: string, deviceId: string, key?: Key): Promise<WireDevice> => {
      const res = await post('/api/devices', { device_id: deviceId, name: `${username}'s laptop`, ...(key ? { public_key: key.publicKey } : {}) }, users[username]?.token ?? null);
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as WireDevice;
    };
    const tokenOf = async (res: Response): Promise<string> => {
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { token: string }).token;
    };
    const deniedBinds = async (deviceId: string) =>
      (await t.app.store.tasks.listAudit(0, 100_000)).filter((e) => e.eventType === 'permission.denied' && e.action === 'device.bind' && e.resourceId === deviceId);

    before(async () => {
      t = await startTestApp(dialect, { app: { clock } });
      for (const username of ['dana', 'eve']) {
        const res = await post('/api/users', { username, password: PASSWORD, roles: ['developer'] }, t.adminToken);
        assert.equal(res.status, 201);
        const id = ((await res.json()) as { id: string }).id;
        users[username] = { id, token: await tokenOf(await login(username)) };
      }
    });
    after(async () => t.close());

    it('registers a key as pending; an admin approves it and the session caller is trusted at once', async () => {
      const key = newKey();
      const id = newDeviceId();
      const device = await register('dana', id, key);
      assert.equal(device.trust, 'pending');
      assert.equal(device.owner_id, users['dana']?.id);
      assert.match(device.key_fingerprint ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/);
      const token = await tokenOf(await loginWithDevice('dana', id, key));
      const before = await t.app.authenticator.authenticate(token);
      assert.equal(before.deviceId, id);
      assert.equal(before.deviceTrust, 'pending');

      const approved = await post(`/api/devices/${id}/approve`, {}, t.adminToken);
      assert.equal(approved.status, 200);
      const after = (await approved.json()) as WireDevice;
      assert.equal(after.trust, 'trusted');
      assert.ok(after.approved_by !== null);
      // Evicted from the authenticator's cache: no waiting for it to expire.
      assert.equal((await t.app.authenticator.authenticate(token)).deviceTrust, 'trusted');
      const audit = await t.app.store.tasks.listAudit(0, 100_000);
      const mine = audit.filter((e) => e.resourceType === 'device' && e.resourceId === id && e.eventType === 'resource.modified');
      assert.deepEqual(mine.map((e) => e.action), ['device.register', 'device.approve']);
    });

    it('refuses a wrong signature, audits it, and burns the challenge', async () => {
      const key = newKey();
      const id = newDeviceId();
      await register('dana', id, key);
      const c = await challenge(id);
      const wrong = await login('dana', { device_id: id, device_proof: { challenge_id: c.challenge_id, signature: signChallenge(newKey(), c) } });
      assert.equal(wrong.status, 401);
      assert.equal(await errorCode(wrong), 'DEVICE_PROOF_INVALID');
      const denials = await deniedBinds(id);
      assert.equal(denials.length, 1);
      assert.equal(denials[0]?.userId, users['dana']?.id);
      assert.match(String(denials[0]?.details['reason']), /signature/);
      // Not a signature at all, and then the right one on the burnt challenge: both refused.
      const junk = await login('dana', { device_id: id, device_proof: { challenge_id: c.challenge_id, signature: 'AAAA' } });
      assert.equal(junk.status, 401);
      const late = await login('dana', { device_id: id, device_proof: { challenge_id: c.challenge_id, signature: signChallenge(key, c) } });
      assert.equal(late.status, 401);
      assert.equal((await loginWithDevice('dana', id, key)).status, 201);
    });

    it('refuses a replayed challenge', async () => {
      const key = newKey();
      const id = newDeviceId();
      await register('dana', id, key);
      const c = await challenge(id);
      const proof = { device_id: id, device_proof: { challenge_id: c.challenge_id, signature: signChallenge(key, c) } };
      assert.equal((await login('dana', proof)).status, 201);
      const replay = await login('dana', proof);
      assert.equal(replay.status, 401);
      assert.equal(await errorCode(replay), 'DEVICE_PROOF_INVALID');
      assert.match(String((await deniedBinds(id))[0]?.details['reason']), /used, expired/);
    });

    it('refuses an expired challenge and one issued for another device', async () => {
      const key = newKey();
      const id = newDeviceId();
      await register('dana', id, key);
      const c = await challenge(id);
      assert.ok(Date.parse(c.expires_at) - clock.now() <= 60_000);
      offset += 61_000;
      const expired = await login('dana', { device_id: id, device_proof: { challenge_id: c.challenge_id, signature: signChallenge(key, c) } });
      assert.equal(expired.status, 401);
      assert.equal(await errorCode(expired), 'DEVICE_PROOF_INVALID');
      const other = await challenge(newDeviceId());
      const crossed = await login('dana', { device_id: id, device_proof: { challenge_id: other.challenge_id, signature: signChallenge(key, other) } });
      assert.equal(crossed.status, 401);
      assert.equal((await deniedBinds(id)).length, 2);
    });

    it("refuses someone else's registered device id without its proof, and a keyed device without a proof", async () => {
      const key = newKey();
      const id = newDeviceId();
      await register('dana', id, key);
      const typed = await login('eve', { device_id: id });
      assert.equal(typed.status, 401);
      assert.equal(await errorCode(typed), 'DEVICE_PROOF_INVALID');
      // Even with a valid proof (a copied key), the device stays its owner's.
      assert.equal((await loginWithDevice('eve', id, key)).status, 401);
      const bare = await login('dana', { device_id: id });
      assert.equal(bare.status, 401);
      const reasons = (await deniedBinds(id)).map((e) => e.details['reason']);
      assert.ok(reasons.includes('the device is registered by another user'));
      assert.ok(reasons.includes('no device proof'));
      // Registering it under another owner is refused too.
      const taken = await post('/api/devices', { device_id: id, name: 'mine now', public_key: newKey().publicKey }, users['eve']?.token ?? null);
      assert.equal(taken.status, 409);
      assert.equal(await errorCode(taken), 'DEVICE_ID_TAKEN');
    });

    it('records an unregistered device id used at login as unknown; adding a key ends its unproven sessions', async () => {
      const id = newDeviceId();
      const token = await tokenOf(await login('eve', { device_id: id }));
      assert.equal((await t.app.authenticator.authenticate(token)).deviceTrust, 'unknown');
      const mine = (await (await t.request('/api/devices', { token: users['eve']?.token ?? null })).json()) as { devices: WireDevice[] };
      const seen = mine.devices.find((d) => d.device_id === id);
      assert.equal(seen?.trust, 'unknown');
      assert.ok(seen !== undefined && Date.parse(seen.first_seen) > 0 && seen.last_seen >= seen.first_seen);
      // Without a key it cannot be approved; with one it becomes pending.
      const keyless = await post(`/api/devices/${id}/approve`, {}, t.adminToken);
      assert.equal(keyless.status, 409);
      assert.equal(await errorCode(keyless), 'DEVICE_KEY_REQUIRED');
      const key = newKey();
      assert.equal((await register('eve', id, key)).trust, 'pending');
      // The session bound before the key existed was never proven: it ends, so approval cannot lend it trust.
      assert.equal((await t.request('/api/users/me', { token })).status, 401);
      assert.equal((await login('eve', { device_id: id })).status, 401);
      assert.equal((await loginWithDevice('eve', id, key)).status, 201);
    });

    it('lets a non-admin owner see but not approve their device; lists are per owner', async () => {
      const id = newDeviceId();
      await register('dana', id, newKey());
      const self = await post(`/api/devices/${id}/approve`, {}, users['dana']?.token ?? null);
      assert.equal(self.status, 403);
      assert.equal(await errorCode(self), 'AUTH_FORBIDDEN');
      const audit = await t.app.store.tasks.listAudit(0, 100_000);
      assert.ok(audit.some((e) => e.eventType === 'permission.denied' && e.resourceId === id && e.userId === users['dana']?.id));
      assert.equal((await t.request(`/api/devices/${id}`, { token: users['dana']?.token ?? null })).status, 200);
      const foreign = await t.request(`/api/devices/${id}`, { token: users['eve']?.token ?? null });
      assert.equal(foreign.status, 404);
      assert.equal(await errorCode(foreign), 'DEVICE_NOT_FOUND');
      assert.equal((await post(`/api/devices/${id}/revoke`, {}, users['eve']?.token ?? null)).status, 404);
      assert.equal((await t.request('/api/devices?all=true', { token: users['dana']?.token ?? null })).status, 403);
      const all = (await (await t.request('/api/devices?all=true')).json()) as { devices: WireDevice[] };
      const owners = new Set(all.devices.map((d) => d.owner_id));
      assert.ok(owners.has(users['dana']?.id ?? '') && owners.has(users['eve']?.id ?? ''));
      const danas = (await (await t.request('/api/devices', { token: users['dana']?.token ?? null })).json()) as { devices: WireDevice[] };
      assert.ok(danas.devices.every((d) => d.owner_id === users['dana']?.id));
    });

    it("revokes a device: its sessions end at once, it cannot be bound again, the owner's other sessions stay", async () => {
      const key = newKey();
      const id = newDeviceId();
      await register('dana', id, key);
      const onDevice = await tokenOf(await loginWithDevice('dana', id, key));
      const plain = await tokenOf(await login('dana'));
      assert.equal((await t.request('/api/users/me', { token: onDevice })).status, 200);
      const res = await post(`/api/devices/${id}/revoke`, {}, users['dana']?.token ?? null);
      assert.equal(res.status, 200);
      const revoked = (await res.json()) as WireDevice & { revoked_sessions: number };
      assert.equal(revoked.trust, 'revoked');
      assert.equal(revoked.revoked_sessions, 1);
      assert.equal((await t.request('/api/users/me', { token: onDevice })).status, 401);
      assert.equal((await t.request('/api/users/me', { token: plain })).status, 200);
      const again = await loginWithDevice('dana', id, key);
      assert.equal(again.status, 403);
      assert.equal(await errorCode(again), 'DEVICE_REVOKED');
      assert.equal((await post(`/api/devices/${id}/approve`, {}, t.adminToken)).status, 403);
      const audit = await t.app.store.tasks.listAudit(0, 100_000);
      const record = audit.find((e) => e.action === 'device.revoke' && e.resourceId === id);
      assert.equal(record?.details['revoked_sessions'], 1);
    });

    it('binds a device to a session created from a token (POST /api/runtime/sessions) only with its proof', async () => {
      const key = newKey();
      const id = newDeviceId();
      await register('dana', id, key);
      const token = users['dana']?.token ?? null;
      const bare = await post('/api/runtime/sessions', { device_id: id }, token);
      assert.equal(bare.status, 401);
      assert.equal(await errorCode(bare), 'DEVICE_PROOF_INVALID');
      const c = await challenge(id);
      const made = await post('/api/runtime/sessions', { device_id: id, device_proof: { challenge_id: c.challenge_id, signature: signChallenge(key, c) } }, token);
      const caller = await t.app.authenticator.authenticate(await tokenOf(made));
      assert.equal(caller.deviceId, id);
      assert.equal(caller.deviceTrust, 'pending');
    });

    it('answers a challenge for an unknown device like for a known one, and validates keys', async () => {
      const unknown = await challenge(newDeviceId());
      assert.match(unknown.nonce, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(unknown.challenge_id.length > 0);
      const bad = await post('/api/devices', { device_id: newDeviceId(), name: 'x', public_key: Buffer.alloc(32, 1).toString('base64') }, users['dana']?.token ?? null);
      assert.equal(bad.status, 400);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
      assert.equal((await post('/api/devices', { device_id: newDeviceId(), name: 'x', public_key: rsa }, users['dana']?.token ?? null)).status, 400);
    });

    it('limits challenges per device id and per address, with Retry-After, and lets them through again later', async () => {
      // A fresh minute: the earlier tests' challenges no longer count.
      offset += 61_000;
      const ask = (deviceId: string) => post('/api/auth/device-challenge', { device_id: deviceId }, null);
      const one = newDeviceId();
      for (let i = 0; i < 10; i++) assert.equal((await ask(one)).status, 201);
      const limited = await ask(one);
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal(await errorCode(limited), 'AUTH_RATE_LIMITED');
      // Other device ids from the same address, up to 30 a minute in all.
      for (let i = 0; i < 20; i++) assert.equal((await ask(newDeviceId())).status, 201);
      assert.equal((await ask(newDeviceId())).status, 429);
      offset += 61_000;
      assert.equal((await ask(one)).status, 201);
    });
  });

  describe(`device owner approval on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { env: { SWITCHBOARD_DEVICE_OWNER_APPROVAL: 'true' } });
    });
    after(async () => t.close());

    it('lets the owner approve their own device when configured, but not another user', async () => {
      const dana = await t.createUser('dana', ['developer']);
      const eve = await t.createUser('eve', ['developer']);
      const pair = newKey();
      const reg = await t.request('/api/devices', { method: 'POST', token: dana.token, body: JSON.stringify({ device_id: 'dana-box', name: 'box', public_key: pair.publicKey }) });
      assert.equal(reg.status, 201);
      assert.equal((await t.request('/api/devices/dana-box/approve', { method: 'POST', token: eve.token, body: '{}' })).status, 404);
      const ok = await t.request('/api/devices/dana-box/approve', { method: 'POST', token: dana.token, body: '{}' });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as WireDevice).trust, 'trusted');
    });
  });
}
