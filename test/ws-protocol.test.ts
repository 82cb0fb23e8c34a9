/**
 * The WebSocket protocol on every database, against a real server on loopback: the
 * JSON fixtures of test/fixtures/ws (one per message type, errors and refused hellos)
 * replayed, an approval decided over the socket, previews as over SSE, many
 * subscriptions on one connection, and a resume after a dropped connection that
 * misses nothing and repeats nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { eventsOf, submit } from './helpers/api.ts';
import { connectWs, helloWs, type Frame } from './helpers/ws-client.ts';
import { replayWsFixture, type WsFixture } from './helpers/ws-fixtures.ts';
import { TOOL_PROVIDERS, call, open, setUp } from './fixtures/skill-fixtures.ts';
import { streamingAgent } from './helpers/streamer.ts';

const FIXTURE_DIR = new URL('./fixtures/ws/', import.meta.url);
const FIXTURES = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, fixture: JSON.parse(readFileSync(new URL(f, FIXTURE_DIR), 'utf8')) as WsFixture }));

/** A small limit, so that reaching it is cheap. */
const MAX_SUBSCRIPTIONS = 40;

const PIECES = Array.from({ length: 80 }, (_, i) => `tok${i} `);

const streamer = streamingAgent(PIECES, 3);

const eventOf = (f: Frame): { seq: number; state: string; event_type: string; message: string | null; metadata: Record<string, unknown> | null } =>
  f['event'] as never;

after(async () => {
  for (const close of open.reverse()) await close();
});

for (const dialect of DIALECTS) {
  describe(`the WebSocket protocol (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { extraAgents: [streamer], env: { SWITCHBOARD_WS_MAX_SUBSCRIPTIONS: String(MAX_SUBSCRIPTIONS) } });
    });
    after(async () => {
      await t.close();
    });

    it('has a fixture for every message type a client sends', () => {
      const sent = new Set(FIXTURES.flatMap(({ fixture }) => fixture.exchanges.map((e) => (e.send as { type?: string }).type)));
      for (const type of ['hello', 'submit', 'state', 'list', 'cancel', 'answer', 'approve', 'subscribe', 'unsubscribe']) assert.ok(sent.has(type), `no fixture sends ${type}`);
    });

    for (const { file, fixture } of FIXTURES) {
      it(`replays ${file}: ${fixture.description}`, async () => {
        const client = await connectWs(t.url);
        try {
          await replayWsFixture(client, fixture, new Map<string, unknown>([['ADMIN_TOKEN', t.adminToken], ['RUN', randomBytes(6).toString('hex')]]));
        } finally {
          client.close();
        }
      });
    }

    it('decides an approval over the socket: the task waits for it, approve resumes it and the skill runs', async () => {
      const p = TOOL_PROVIDERS[0];
      assert.ok(p !== undefined);
      const s = await setUp(dialect, p, [call('call_1', 'deploy', { target: 'prod' }), { kind: 'text', text: 'Deployed.' }]);
      const { client } = await helloWs(s.t.url, s.t.adminToken);
      try {
        const submitted = await client.request({ type: 'submit', agent_type: s.agentType, prompt: 'Deploy to prod' });
        const taskId = (submitted['result'] as { task_id: string }).task_id;
        const sub = await client.request({ type: 'subscribe', task_id: taskId });
        const name = (sub['result'] as { subscription: string }).subscription;
        const waiting = await client.next((f) => f.type === 'event' && f['subscription'] === name && eventOf(f).state === 'waiting');
        const approvalId = eventOf(waiting).metadata?.['approval_id'];
        assert.equal(typeof approvalId, 'string');
        const refused = await client.request({ type: 'answer', task_id: taskId, answer: 'yes' });
        assert.equal((refused['error'] as { code: string }).code, 'TASK_AWAITING_APPROVAL');
        const approved = await client.request({ type: 'approve', task_id: taskId, decision: 'approve', approval_id: approvalId });
        assert.equal(approved.type, 'result', JSON.stringify(approved));
        const end = await client.next((f) => f.type === 'end' && f['subscription'] === name);
        assert.equal(end['reason'], 'terminal');
        const state = await client.request({ type: 'state', task_id: taskId });
        assert.equal((state['result'] as { state: string }).state, 'completed');
        assert.equal(s.server.received.length, 2, 'the model was asked again after the skill ran');
      } finally {
        client.close();
      }
    });

    it('carries previews as over SSE: previews then stored chunks past them print the streamed text exactly once', async () => {
      const { client } = await helloWs(t.url, t.adminToken);
      try {
        const submitted = await client.request({ type: 'submit', agent_type: 'streamer', prompt: 'go' });
        const taskId = (submitted['result'] as { task_id: string }).task_id;
        const sub = await client.request({ type: 'subscribe', task_id: taskId });
        const name = (sub['result'] as { subscription: string }).subscription;
        await client.next((f) => f.type === 'end' && f['subscription'] === name);
        // The client rule of the README: per (attempt, chunk), print only what the previews did not.
        const shown = new Map<string, number>();
        let printed = '';
        for (const f of client.frames.filter((x) => x['subscription'] === name)) {
          if (f.type === 'preview') {
            const p = f['preview'] as { attempt: number; chunk: number; offset: number; text: string };
            const key = `${p.attempt}:${p.chunk}`;
            assert.equal(p.offset, shown.get(key) ?? 0, 'a preview continues exactly what was shown');
            printed += p.text;
            shown.set(key, p.offset + p.text.length);
          } else if (f.type === 'event' && eventOf(f).event_type === 'output') {
            const e = eventOf(f);
            const key = `${String(e.metadata?.['attempt'])}:${String(e.metadata?.['chunk'])}`;
            printed += (e.message ?? '').slice(shown.get(key) ?? 0);
            shown.set(key, (e.message ?? '').length);
          }
        }
        assert.equal(printed, PIECES.join(''));
        assert.ok(client.frames.some((f) => f.type === 'preview' && f['subscription'] === name), 'previews were sent');
      } finally {
        client.close();
      }
    });

    it('holds many subscriptions on one connection, each ending after its own terminal event', async () => {
      const { client } = await helloWs(t.url, t.adminToken);
      try {
        const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => submit(t, { agent_type: 'echo', prompt: `many ${i}`, context: { delay_ms: 50 } }).then((x) => x.task_id)));
        const subs = await Promise.all(ids.map((id) => client.request({ type: 'subscribe', task_id: id })));
        const names = subs.map((s) => (s['result'] as { subscription: string }).subscription);
        assert.equal(new Set(names).size, ids.length);
        await Promise.all(names.map((n) => client.next((f) => f.type === 'end' && f['subscription'] === n)));
        for (const [i, n] of names.entries()) {
          const seqs = client.frames.filter((f) => f.type === 'event' && f['subscription'] === n).map((f) => eventOf(f).seq);
          const stored = (await eventsOf(t, ids[i] ?? '')).map((e) => e.seq);
          assert.deepEqual(seqs, stored, `subscription ${n} got every event of its task in order`);
        }
      } finally {
        client.close();
      }
    });

    it('refuses a subscription past the limit a connection may hold with WS_SUBSCRIPTION_LIMIT, and takes one again after an unsubscribe', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'watched a lot', context: { delay_ms: 60_000 } });
      const { client, hello } = await helloWs(t.url, t.adminToken);
      try {
        const max = (hello['result'] as { max_subscriptions: number }).max_subscriptions;
        assert.equal(max, MAX_SUBSCRIPTIONS);
        const subs = await Promise.all(Array.from({ length: max + 1 }, () => client.request({ type: 'subscribe', task_id: task.task_id })));
        const refused = subs.filter((f) => f.type === 'error');
        assert.equal(refused.length, 1, 'exactly one past the limit');
        assert.deepEqual(refused[0]?.['error'], {
          code: 'WS_SUBSCRIPTION_LIMIT',
          message: `At most ${MAX_SUBSCRIPTIONS} subscriptions per connection`,
          details: { max_subscriptions: MAX_SUBSCRIPTIONS },
        });
        const first = subs.find((f) => f.type === 'result');
        const name = (first?.['result'] as { subscription: string }).subscription;
        assert.equal((await client.request({ type: 'unsubscribe', subscription: name })).type, 'result');
        assert.equal((await client.request({ type: 'subscribe', task_id: task.task_id })).type, 'result');
        assert.equal((await client.request({ type: 'cancel', task_id: task.task_id })).type, 'result');
      } finally {
        client.close();
      }
    });

    it('resumes after a dropped connection with after_seq: no gap, no repeat, through to the end', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'resume me', context: { delay_ms: 800, progress_interval_ms: 50 } });
      const first = await helloWs(t.url, t.adminToken);
      const sub = await first.client.request({ type: 'subscribe', task_id: task.task_id });
      const name = (sub['result'] as { subscription: string }).subscription;
      await first.client.next((f) => f.type === 'event' && eventOf(f).event_type === 'progress');
      // The connection drops without a close handshake.
      first.client.socket.terminate();
      await first.client.closed;
      const seen = first.client.frames.filter((f) => f.type === 'event' && f['subscription'] === name).map((f) => eventOf(f).seq);
      const last = seen.at(-1) ?? 0;
      const second = await helloWs(t.url, t.adminToken);
      try {
        const again = await second.client.request({ type: 'subscribe', task_id: task.task_id, after_seq: last });
        const name2 = (again['result'] as { subscription: string }).subscription;
        const end = await second.client.next((f) => f.type === 'end' && f['subscription'] === name2);
        const rest = second.client.frames.filter((f) => f.type === 'event' && f['subscription'] === name2).map((f) => eventOf(f).seq);
        const stored = (await eventsOf(t, task.task_id)).map((e) => e.seq);
        assert.deepEqual([...seen, ...rest], stored, 'before and after the drop together are the whole history, once each');
        assert.equal(end['last_seq'], stored.at(-1));
      } finally {
        second.client.close();
      }
    });

    it('decides permissions as over HTTP: a viewer may not submit, another user\'s task is not found, audit says websocket', async () => {
      const viewer = await t.createUser('ws-viewer', ['viewer']);
      const dev = await t.createUser('ws-dev', ['developer']);
      const mine = await submit(t, { agent_type: 'echo', prompt: 'admin only' });
      const v = await helloWs(t.url, viewer.token);
      const d = await helloWs(t.url, dev.token);
      try {
        const refused = await v.client.request({ type: 'submit', agent_type: 'echo', prompt: 'nope' });
        assert.equal((refused['error'] as { code: string }).code, 'AUTH_FORBIDDEN');
        for (const type of ['state', 'subscribe', 'cancel']) {
          const hidden = await d.client.request({ type, task_id: mine.task_id });
          assert.equal((hidden['error'] as { code: string }).code, 'TASK_NOT_FOUND', type);
        }
        const own = await d.client.request({ type: 'submit', agent_type: 'echo', prompt: 'mine' });
        const taskId = (own['result'] as { task_id: string }).task_id;
        const audit = await t.request(`/api/audit/events?event_type=permission.denied&user_id=${viewer.userId}`);
        const denied = ((await audit.json()) as { events: { details: Record<string, unknown> }[] }).events;
        assert.equal(denied[0]?.details['channel'], 'websocket', 'the denial records the transport');
        const submitted = await t.request(`/api/audit/events?resource_id=${taskId}&event_type=task.submitted`);
        const rec = ((await submitted.json()) as { events: { details: Record<string, unknown> }[] }).events;
        assert.equal(rec[0]?.details['channel'], 'websocket');
      } finally {
        v.client.close();
        d.client.close();
      }
    });

    it('takes the credential from the upgrade request\'s Authorization header when hello carries none', async () => {
      const client = await connectWs(t.url, { headers: { authorization: `Bearer ${t.adminToken}` } });
      try {
        const hello = await client.request({ type: 'hello', protocol: 1 });
        assert.equal(hello.type, 'result', JSON.stringify(hello));
      } finally {
        client.close();
      }
    });
  });
}
