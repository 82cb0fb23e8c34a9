/**
 * The WebSocket transport's defences, against a real server on loopback: a foreign
 * Origin is refused before the upgrade (and the session cookie counts only from the
 * server's own pages), a client that stops reading is cut off with a reason while the
 * server's send queue stays bounded, a revoked credential closes its sockets (at once
 * on this node, by the periodic re-check when it changed elsewhere), and the heartbeat
 * drops a peer that stops answering pings.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { recordSecret } from './helpers/log-capture.ts';
import { waitFor } from './helpers/wait.ts';
import { submit } from './helpers/api.ts';
import { connectWs, helloWs } from './helpers/ws-client.ts';
import type { AgentAdapter } from '../src/core/ports/agent-adapter.ts';

const SEND_LIMIT = 64 * 1024;
const LOG_BYTES = 32 * 1024;
const FLOOD_EVENTS = 600;

/** Emits FLOOD_EVENTS log events of LOG_BYTES each (about 19 MB), more than socket buffers hold. */
const flood: AgentAdapter = {
  info: { agentType: 'flood', name: 'Flood', description: 'many large log events', capabilities: [], metadata: {} },
  retry: { maxAttempts: 1, backoffMs: 0 },
  isAvailable: async () => true,
  async run(ctx) {
    const line = 'x'.repeat(LOG_BYTES);
    for (let i = 0; i < FLOOD_EVENTS; i++) {
      ctx.emit({ type: 'log', message: `${i} ${line}` });
      if (i % 50 === 49) await ctx.sleep(1);
    }
    return { result: 'flooded' };
  },
};

/** The TCP socket under a ws client (to stop reading from it, as a stuck client would). */
const rawSocketOf = (ws: unknown): Socket => (ws as { _socket: Socket })._socket;

async function sessionToken(t: TestApp, token: string): Promise<{ sessionId: string; token: string }> {
  const res = await t.request('/api/runtime/sessions', { method: 'POST', body: '{}', token });
  assert.equal(res.status, 201);
  const body = (await res.json()) as { session_id: string; token: string };
  recordSecret(body.token);
  return { sessionId: body.session_id, token: body.token };
}

for (const dialect of DIALECTS) {
  describe(`the WebSocket transport's defences (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, {
        env: { SWITCHBOARD_WS_RECHECK_MS: '200', SWITCHBOARD_WS_HEARTBEAT_MS: '100' },
      });
    });
    after(async () => {
      await t.close();
    });

    it('refuses a foreign Origin before the upgrade with 403 CSRF_FAILED, and accepts its own', async () => {
      const refused = await connectWs(t.url, { origin: 'http://attacker.invalid', headers: { authorization: `Bearer ${t.adminToken}` } }).then(
        () => assert.fail('the upgrade was accepted'),
        (err: { status?: number; body?: string }) => err,
      );
      assert.equal(refused.status, 403);
      assert.equal((JSON.parse(refused.body ?? '{}') as { error: { code: string } }).error.code, 'CSRF_FAILED');
      const { client } = await helloWs(t.url, t.adminToken, { origin: t.url });
      client.close();
    });

    it("accepts the browser session cookie only from the server's own origin", async () => {
      const signIn = await t.request('/api/web/session', { method: 'POST', body: JSON.stringify({ token: t.adminToken }), token: null });
      assert.equal(signIn.status, 201);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      recordSecret(cookie.split('=')[1] ?? '');
      const own = await connectWs(t.url, { origin: t.url, headers: { cookie } });
      const hello = await own.request({ type: 'hello', protocol: 1 });
      assert.equal(hello.type, 'result', JSON.stringify(hello));
      assert.equal(typeof (hello['result'] as { session_id: unknown }).session_id, 'string', 'the cookie is a session');
      own.close();
      // Without an Origin (not a browser page) the cookie is not taken as a credential.
      const bare = await connectWs(t.url, { headers: { cookie } });
      const refused = await bare.request({ type: 'hello', protocol: 1 });
      assert.equal((refused['error'] as { code: string }).code, 'AUTH_REQUIRED');
      assert.equal((await bare.closed).code, 4401);
    });

    it('closes the sockets of a session revoked on this node, with code 4401', async () => {
      const user = await t.createUser('ws-revoke', ['developer']);
      const session = await sessionToken(t, user.token);
      const a = await helloWs(t.url, session.token);
      const b = await helloWs(t.url, session.token);
      const other = await helloWs(t.url, user.token);
      const res = await t.request(`/api/runtime/sessions/${session.sessionId}`, { method: 'DELETE', token: user.token });
      assert.equal(res.status, 200);
      for (const c of [a.client, b.client]) {
        const closed = await c.closed;
        assert.equal(closed.code, 4401);
        assert.ok(c.frames.some((f) => f.type === 'error' && (f['error'] as { code: string }).code === 'AUTH_INVALID'), 'told why before the close');
      }
      const still = await other.client.request({ type: 'list', limit: 1 });
      assert.equal(still.type, 'result', 'the API token of the same user still works');
      other.client.close();
    });

    it('closes the sockets of a revoked API token and of a credential revoked elsewhere (the periodic re-check)', async () => {
      const user = await t.createUser('ws-revoke-2', ['developer']);
      const made = await t.request(`/api/users/${user.userId}/tokens`, { method: 'POST', body: JSON.stringify({ name: 'ws' }) });
      const created = (await made.json()) as { id: string; token: string };
      recordSecret(created.token);
      const byToken = await helloWs(t.url, created.token);
      assert.equal((await t.request(`/api/users/${user.userId}/tokens/${created.id}`, { method: 'DELETE' })).status, 200);
      assert.equal((await byToken.client.closed).code, 4401);
      // Revoked straight in the database, as another node would: no eviction reaches this node.
      const session = await sessionToken(t, user.token);
      const bySession = await helloWs(t.url, session.token);
      await t.app.store.credentials.revokeSession(session.sessionId, { records: [], now: Date.now() });
      assert.equal((await bySession.client.closed).code, 4401);
    });

    it('pings every connection and drops one that stops answering', async () => {
      const alive = await helloWs(t.url, t.adminToken);
      const dead = await helloWs(t.url, t.adminToken, { autoPong: false });
      let pings = 0;
      alive.client.socket.on('ping', () => (pings += 1));
      const closed = await dead.client.closed;
      assert.equal(closed.code, 1006, 'terminated without a close frame');
      await waitFor(() => pings >= 3 || undefined, 'three pings to the live client');
      const still = await alive.client.request({ type: 'list', limit: 1 });
      assert.equal(still.type, 'result', 'the client that answers pings stays connected');
      alive.client.close();
    });
  });

  // Its own server: the short heartbeat above would drop a client that stops reading before backpressure does.
  describe(`the WebSocket transport under a slow consumer (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { extraAgents: [flood], env: { SWITCHBOARD_WS_SEND_LIMIT: String(SEND_LIMIT), SWITCHBOARD_WS_STALL_MS: '300' } });
    });
    after(async () => {
      await t.close();
    });

    it('cuts off a client that stops reading, with code 1008 and a reason, and never queues more than the limit', async () => {
      const taskId = (await submit(t, { agent_type: 'flood', prompt: 'flood' })).task_id;
      const { client } = await helloWs(t.url, t.adminToken);
      const raw = rawSocketOf(client.socket);
      raw.pause();
      for (let i = 0; i < 3; i++) client.send({ type: 'subscribe', id: `sub${i}`, task_id: taskId });
      await waitFor(() => t.app.ws.stats().cutOff >= 1 || undefined, 'the server to cut the slow client off');
      const stats = t.app.ws.stats();
      assert.ok(stats.peakBuffered <= SEND_LIMIT + LOG_BYTES + 1024, `at most the limit plus one frame was queued (peak ${stats.peakBuffered})`);
      raw.resume();
      const closed = await client.closed;
      assert.equal(closed.code, 1008);
      assert.match(closed.reason, /^slow consumer/);
      await waitFor(() => t.app.ws.stats().connections === 0 || undefined, 'the connection to be gone on the server');
    });
  });

  describe(`the WebSocket transport at shutdown (${dialect})`, () => {
    it('closes open connections with 1001 when the server stops, subscriptions and all', async () => {
      // No grace for the running task: the engine's shutdown wait is not what this measures.
      const t = await startTestApp(dialect, { env: { SWITCHBOARD_SHUTDOWN_GRACE_MS: '0' } });
      const task = await submit(t, { agent_type: 'echo', prompt: 'long', context: { delay_ms: 60_000 } });
      const { client } = await helloWs(t.url, t.adminToken);
      const sub = await client.request({ type: 'subscribe', task_id: task.task_id });
      assert.equal(sub.type, 'result');
      await t.close();
      const closed = await client.closed;
      assert.equal(closed.code, 1001);
      assert.equal(closed.reason, 'server shutting down');
    });
  });
}
