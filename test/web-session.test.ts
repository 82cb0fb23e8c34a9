/**
 * Browser sessions over real HTTP: signing in with a password or an API token sets an
 * HttpOnly, SameSite=Strict cookie holding a session (never the token); the cookie
 * authenticates reads; changes need the CSRF token and no foreign Origin; signing out
 * ends the session.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { recordSecret } from './helpers/log-capture.ts';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { signChallenge } from '../src/cli/device-key.ts';
import { loadConfig } from '../src/config/load-config.ts';
import WebSocket from 'ws';

const PASSWORD = 'Webby-password-42';

interface WebSession {
  session_id: string | null;
  user: { username: string };
  permissions: string[];
  csrf_token: string | null;
}

const cookieOf = (res: Response): string => {
  const set = res.headers.get('set-cookie') ?? '';
  const m = /^sb_session=([^;]*)/.exec(set);
  assert.ok(m, `a session cookie in: ${set}`);
  recordSecret(m[1] ?? '');
  return `sb_session=${m[1]}`;
};

for (const dialect of DIALECTS) {
  describe(`web sessions on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
      const made = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'webby', password: PASSWORD, roles: ['developer'] }) });
      assert.equal(made.status, 201);
    });
    after(() => t.close());

    const signIn = (body: unknown): Promise<Response> =>
      fetch(`${t.url}/api/web/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const withCookie = (path: string, cookie: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${t.url}${path}`, {
        ...init,
        headers: { cookie, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string> | undefined) },
      });

    it('signs in with a password: an HttpOnly SameSite=Strict cookie, the CSRF token in the body, no secret', async () => {
      const res = await signIn({ username: 'webby', password: PASSWORD });
      assert.equal(res.status, 201);
      const set = res.headers.get('set-cookie') ?? '';
      assert.match(set, /HttpOnly/);
      assert.match(set, /SameSite=Strict/);
      assert.match(set, /Path=\//);
      assert.doesNotMatch(set, /Secure/, 'plain http on loopback: no Secure flag');
      const body = (await res.json()) as WebSession & Record<string, unknown>;
      assert.equal(body.user.username, 'webby');
      assert.equal(body['token'], undefined, 'the secret is only in the cookie');
      assert.ok(body.csrf_token !== null && body.csrf_token.length > 20);
      assert.ok(!JSON.stringify(body).includes(cookieOf(res).slice('sb_session='.length)));

      const me = await withCookie('/api/web/session', cookieOf(res));
      assert.equal(me.status, 200);
      const seen = (await me.json()) as WebSession;
      assert.deepEqual([seen.user.username, seen.csrf_token, seen.session_id], ['webby', body.csrf_token, body.session_id]);
      assert.ok(seen.permissions.includes('task:submit'));
    });

    it('signs in with an API token as a session of its own: the cookie is never the token', async () => {
      const res = await signIn({ token: t.adminToken });
      assert.equal(res.status, 201);
      const cookie = cookieOf(res);
      assert.ok(!cookie.includes(t.adminToken));
      assert.match(cookie, /^sb_session=sbs_/);
      assert.equal(((await res.json()) as WebSession).user.username, 'admin');
      assert.equal((await signIn({ token: 'sbt_not-a-real-token' })).status, 401);
      assert.equal((await signIn({ username: 'webby', password: 'wrong-password' })).status, 401);
      assert.equal((await signIn({ username: 'webby' })).status, 400);
    });

    it("binds a browser session to a device: a signed challenge, the device's trust in GET, refused without a proof or once revoked", async () => {
      const webby = await t.request('/api/auth/login', { method: 'POST', token: null, body: JSON.stringify({ username: 'webby', password: PASSWORD }) });
      const bearer = ((await webby.json()) as { token: string }).token;
      const pair = generateKeyPairSync('ed25519');
      const key = { deviceId: randomUUID(), name: 'test browser', publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey: pair.privateKey };
      const registered = await t.request('/api/devices', { method: 'POST', token: bearer, body: JSON.stringify({ device_id: key.deviceId, name: key.name, public_key: key.publicKey }) });
      assert.equal(registered.status, 201);
      const proof = async () => {
        const c = (await (await t.request('/api/auth/device-challenge', { method: 'POST', token: null, body: JSON.stringify({ device_id: key.deviceId }) })).json()) as { challenge_id: string; nonce: string };
        return { device_id: key.deviceId, device_proof: { challenge_id: c.challenge_id, signature: signChallenge(key, c) } };
      };
      const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
      assert.equal(await code(await signIn({ username: 'webby', password: PASSWORD, device_id: key.deviceId })), 'DEVICE_PROOF_INVALID');
      const pending = await signIn({ username: 'webby', password: PASSWORD, ...(await proof()) });
      assert.equal(pending.status, 201);
      assert.deepEqual(((await pending.json()) as { device: unknown }).device, { device_id: key.deviceId, trust: 'pending' });
      assert.equal((await t.request(`/api/devices/${key.deviceId}/approve`, { method: 'POST', body: '{}' })).status, 200);
      const trusted = await signIn({ username: 'webby', password: PASSWORD, ...(await proof()) });
      const cookie = cookieOf(trusted);
      const seen = (await (await withCookie('/api/web/session', cookie)).json()) as { device: unknown };
      assert.deepEqual(seen.device, { device_id: key.deviceId, trust: 'trusted' });
      // The same with an API token, and none without a device.
      const byToken = await signIn({ token: t.adminToken });
      assert.equal(((await byToken.json()) as { device: unknown }).device, null);
      assert.equal((await t.request(`/api/devices/${key.deviceId}/revoke`, { method: 'POST', body: '{}' })).status, 200);
      assert.equal(((await (await withCookie('/api/web/session', cookie)).json()) as { user: unknown }).user, null, 'its sessions ended');
      assert.equal(await code(await signIn({ username: 'webby', password: PASSWORD, ...(await proof()) })), 'DEVICE_REVOKED');
    });

    it('needs the CSRF token and no foreign Origin for changes made with the cookie', async () => {
      const res = await signIn({ username: 'webby', password: PASSWORD });
      const cookie = cookieOf(res);
      const { csrf_token: csrf } = (await res.json()) as WebSession;
      const submit = (headers: Record<string, string>) =>
        withCookie('/api/runtime/tasks/submit', cookie, { method: 'POST', headers, body: JSON.stringify({ agent_type: 'echo', prompt: 'from the browser' }) });

      const missing = await submit({});
      assert.equal(missing.status, 403);
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'CSRF_FAILED');
      assert.equal((await submit({ 'x-csrf-token': 'wrong' })).status, 403);
      const foreign = await submit({ 'x-csrf-token': csrf ?? '', origin: 'https://evil.example' });
      assert.equal(foreign.status, 403);
      assert.match(((await foreign.json()) as { error: { message: string } }).error.message, /evil\.example/);
      assert.equal((await submit({ 'x-csrf-token': csrf ?? '', origin: t.url })).status, 202);
      assert.equal((await submit({ 'x-csrf-token': csrf ?? '' })).status, 202);
      // Reads need no CSRF token; a bearer caller needs none either.
      assert.equal((await withCookie('/api/runtime/tasks', cookie)).status, 200);
      assert.equal((await t.request('/api/runtime/tasks/submit', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'script' }) })).status, 202);
      // An API token put into the cookie is refused: the cookie is for sessions only.
      assert.equal((await withCookie('/api/runtime/tasks', `sb_session=${t.adminToken}`)).status, 401);
    });

    it('signs out: the session ends and the cookie is cleared', async () => {
      const res = await signIn({ username: 'webby', password: PASSWORD });
      const cookie = cookieOf(res);
      const { csrf_token: csrf } = (await res.json()) as WebSession;
      assert.equal((await withCookie('/api/web/session', cookie, { method: 'DELETE' })).status, 403, 'signing out is a change: CSRF applies');
      const out = await withCookie('/api/web/session', cookie, { method: 'DELETE', headers: { 'x-csrf-token': csrf ?? '' } });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie') ?? '', /^sb_session=; .*Max-Age=0/);
      // Asking who is signed in is answered, not refused: nobody (and the dead cookie is cleared).
      const after = await withCookie('/api/web/session', cookie);
      assert.equal(after.status, 200);
      assert.equal(((await after.json()) as { user: unknown }).user, null);
      assert.match(after.headers.get('set-cookie') ?? '', /Max-Age=0/);
      assert.equal((await withCookie('/api/runtime/tasks', cookie)).status, 401, 'the ended session opens nothing');
      const nobody = await fetch(`${t.url}/api/web/session`);
      assert.deepEqual([nobody.status, ((await nobody.json()) as { user: unknown }).user], [200, null]);
    });
  });
}

describe('web sessions behind a TLS-terminating proxy (SWITCHBOARD_PUBLIC_ORIGINS)', () => {
  const PUBLIC = 'https://sb.example.test';
  let t: TestApp;
  before(async () => {
    t = await startTestApp('sqlite', { env: { SWITCHBOARD_PUBLIC_ORIGINS: `${PUBLIC}/` } });
    const made = await t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'proxied', password: PASSWORD, roles: ['developer'] }) });
    assert.equal(made.status, 201);
  });
  after(() => t.close());

  it('accepts changes and WebSockets from the public origin, and still refuses others', async () => {
    const res = await fetch(`${t.url}/api/web/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'proxied', password: PASSWORD }) });
    assert.equal(res.status, 201);
    const cookie = cookieOf(res);
    const { csrf_token: csrf } = (await res.json()) as WebSession;
    const submit = (origin: string) =>
      fetch(`${t.url}/api/runtime/tasks/submit`, {
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/json', 'x-csrf-token': csrf ?? '' },
        body: JSON.stringify({ agent_type: 'echo', prompt: 'through the proxy' }),
      });
    assert.equal((await submit(PUBLIC)).status, 202);
    assert.equal((await submit('https://evil.example')).status, 403);
    const upgrade = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/runtime/ws`, { headers: { origin, cookie } });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
        ws.once('error', reject);
      });
    assert.equal(await upgrade(PUBLIC), 101);
    assert.equal(await upgrade('https://evil.example'), 403);
  });

  it('refuses a setting that is not a list of origins', () => {
    assert.throws(() => loadConfig({ SWITCHBOARD_PUBLIC_ORIGINS: 'https://ok.example, sb.example.test/app' }), /sb\.example\.test\/app is not an origin/);
  });
});
