/**
 * The bot on a webhook and on a cluster: the webhook route accepts only Telegram's
 * secret-token header and handles a redelivered update once; two nodes on one
 * PostgreSQL database poll one at a time (a lease in the database), hand polling
 * over when one stops, and handle every update once even when both receive it.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { startFakeTelegram, type FakeTelegram, type FakeUser } from './helpers/fake-telegram.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { botEnv, linkCode } from './helpers/telegram-bot.ts';
import { waitFor } from './helpers/wait.ts';

const USER: FakeUser = { id: 9001, username: 'nina_tg' };
const SECRET = 'webhook-secret-0123456789abcdef';
const open: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

const answers = (tg: FakeTelegram, marker: string): number => tg.messages.filter((m) => m.chatId === USER.id && m.text.includes(marker)).length;

/** A Telegram update as the webhook receives it. */
function update(id: number, text: string): Record<string, unknown> {
  return {
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: USER.id, type: 'private' },
      from: { id: USER.id, is_bot: false, first_name: 'Nina', username: USER.username },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 1 }],
    },
  };
}

async function linkAndProject(t: TestApp, tg: FakeTelegram, deliver: (text: string) => Promise<void>): Promise<void> {
  const nina = await t.createUser(`nina-${Math.random().toString(36).slice(2, 8)}`, ['developer']);
  await deliver(`/link ${await linkCode(t, nina.token)}`);
  await tg.waitForMessage(USER.id, (m) => m.text.includes('Linked'), 'the link');
  await deliver('/create_project CLU Cluster');
  await tg.waitForMessage(USER.id, (m) => m.text.includes('Project CLU created'), 'the project');
}

for (const dialect of DIALECTS) {
  describe(`Telegram webhook on ${dialect}`, () => {
    it('accepts updates only with the secret-token header and handles a redelivery once', async () => {
      const tg = await startFakeTelegram();
      open.push(tg.close);
      const t = await startTestApp(dialect, { env: { ...botEnv(tg), TELEGRAM_WEBHOOK_URL: 'https://bot.example.test/hooks/telegram', TELEGRAM_WEBHOOK_SECRET: SECRET } });
      open.push(t.close);
      const set = await waitFor(() => tg.calls.find((c) => c.method === 'setWebhook'), 'setWebhook');
      assert.equal(set.params['url'], 'https://bot.example.test/hooks/telegram');
      assert.equal(set.params['secret_token'], SECRET);
      assert.ok(!tg.calls.some((c) => c.method === 'getUpdates'), 'no polling in webhook mode');
      let id = 1;
      const post = (body: unknown, secret: string | undefined) =>
        fetch(`${t.url}/hooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body: JSON.stringify(body) });
      assert.equal((await post(update(id++, '/help'), undefined)).status, 401);
      assert.equal((await post(update(id++, '/help'), 'wrong-secret-0123456789abcdef')).status, 401);
      const deliver = async (text: string): Promise<void> => {
        assert.equal((await post(update(id++, text), SECRET)).status, 200);
      };
      await linkAndProject(t, tg, deliver);
      const again = update(id++, '/create_task CLU webhook-marker');
      assert.equal((await post(again, SECRET)).status, 200);
      assert.equal((await post(again, SECRET)).status, 200, 'Telegram redelivers what it thinks was lost');
      await waitFor(() => answers(tg, 'webhook-marker') === 1, 'the task created');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(answers(tg, 'webhook-marker'), 1, 'handled once');
      assert.equal(answers(tg, 'not linked'), 0, 'the refused posts did nothing');
    });
  });
}

describe('Telegram bot on two PostgreSQL nodes', { skip: !DIALECTS.includes('postgres') }, () => {
  it('polls from one node at a time and handles each update once, also across a hand-over', async () => {
    const tg = await startFakeTelegram();
    open.push(tg.close);
    const db = makeTestDatabase('postgres');
    open.push(() => db.drop());
    const a = await startTestApp('postgres', { db, env: botEnv(tg) });
    const b = await startTestApp('postgres', { db, env: botEnv(tg) });
    open.push(b.close);
    await linkAndProject(a, tg, async (text) => void tg.send(USER, text));
    for (let i = 0; i < 10; i++) tg.send(USER, `/create_task CLU poll-marker-${i}`);
    await waitFor(() => answers(tg, 'poll-marker-') === 10, 'ten tasks answered');
    await a.close();
    tg.send(USER, '/create_task CLU after-handover');
    await waitFor(() => answers(tg, 'after-handover') === 1, 'the other node to take over polling', 30_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answers(tg, 'poll-marker-'), 10, 'no update handled twice');
    const claims = await b.app.store.db.selectFrom('telegram_updates').select(['update_id', 'node_id']).execute();
    assert.equal(new Set(claims.map((c) => c.update_id)).size, claims.length);
    assert.equal(new Set(claims.map((c) => c.node_id)).size, 2, 'both nodes handled some: the hand-over happened');
  });

  it('handles an update once when both nodes receive it', async () => {
    const tg = await startFakeTelegram();
    open.push(tg.close);
    const db = makeTestDatabase('postgres');
    open.push(() => db.drop());
    const env = { ...botEnv(tg), TELEGRAM_WEBHOOK_URL: 'https://bot.example.test/hook', TELEGRAM_WEBHOOK_SECRET: SECRET };
    const a = await startTestApp('postgres', { db, env });
    open.push(a.close);
    const b = await startTestApp('postgres', { db, env });
    open.push(b.close);
    let id = 500;
    const post = (base: string, body: unknown) =>
      fetch(`${base}/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(body) });
    await linkAndProject(a, tg, async (text) => void (await post(a.url, update(id++, text))));
    const both = update(id++, '/create_task CLU twice-delivered');
    const [ra, rb] = await Promise.all([post(a.url, both), post(b.url, both)]);
    assert.deepEqual([ra.status, rb.status], [200, 200]);
    await waitFor(() => answers(tg, 'twice-delivered') === 1, 'the task created');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answers(tg, 'twice-delivered'), 1, 'handled by one node only');
  });
});
