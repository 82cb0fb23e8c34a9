/**
 * The bot across crashes: an update whose handler a SIGKILL cut off is handled again
 * after a restart (the claim keeps the update and names the dead boot), and on two
 * PostgreSQL nodes the survivor takes over polling and the dead node's open claim.
 * An update handled again starts no second task (its idempotency key), an edit
 * Telegram refuses as unchanged does not stop the follower, and the flood limit
 * holds through the bot.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DIALECTS, makeTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { startFakeTelegram, type FakeTelegram, type FakeUser } from './helpers/fake-telegram.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { startTestApp } from './helpers/test-app.ts';
import { botEnv, linkCode, say } from './helpers/telegram-bot.ts';
import { waitFor } from './helpers/wait.ts';

const USER: FakeUser = { id: 7001, username: 'cora_tg' };
const open: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

async function serverWithBot(db: TestDatabase, tg: FakeTelegram, token: string, nodeId: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ ...db.env, ...botEnv(tg), SWITCHBOARD_ADMIN_TOKEN: token, SWITCHBOARD_NODE_ID: nodeId, ...extra });
  open.push(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  });
  return server;
}

/** Links the admin to USER through the bot and makes a project with one card. */
async function linkAdmin(tg: FakeTelegram, url: string, token: string): Promise<void> {
  const res = await fetch(`${url}/api/telegram/link-codes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 201, await res.clone().text());
  const { code } = (await res.json()) as { code: string };
  assert.match(await say(tg, USER, `/link ${code}`), /Linked/);
  assert.match(await say(tg, USER, '/create_project CRA Crash'), /Project CRA created/);
  assert.match(await say(tg, USER, '/create_task CRA survive the crash'), /CRA-1 created/);
}

/** The answer to `/tasks CRA`: the card with its status. */
const LISTING = /^CRA-1 \[\w+\] survive the crash/;
const listings = (tg: FakeTelegram): number => tg.messages.filter((m) => m.chatId === USER.id && LISTING.test(m.text)).length;

/** Sends `/tasks CRA` with its answer held, and waits until the bot is stuck sending it. */
async function cutOffListing(tg: FakeTelegram): Promise<{ release(): void }> {
  const held = tg.hold('sendMessage', (p) => LISTING.test(String(p['text'])));
  const from = tg.calls.length;
  tg.send(USER, '/tasks CRA');
  await waitFor(() => tg.calls.slice(from).some((c) => c.method === 'sendMessage' && LISTING.test(String(c.params['text']))), 'the handler to be sending its answer');
  return held;
}

for (const dialect of DIALECTS) {
  describe(`Telegram bot crash on ${dialect}`, () => {
    it('handles an update cut off by SIGKILL once after the restart, and carries on following a task', async () => {
      const tg = await startFakeTelegram();
      open.push(tg.close);
      const db = makeTestDatabase(dialect);
      open.push(() => db.drop());
      const token = `sbt_tgcrash_${randomBytes(16).toString('hex')}`;
      const first = await serverWithBot(db, tg, token, 'tg-crash');
      await linkAdmin(tg, first.url, token);
      tg.send(USER, '/execute CRA-1 echo {"delay_ms": 3000}');
      const status = await tg.waitForMessage(USER.id, (m) => m.text.includes('CRA-1 on echo: running'), 'the task running');

      const held = await cutOffListing(tg);
      first.child.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');
      held.release();
      assert.equal(listings(tg), 0, 'the answer never left the killed server');

      await serverWithBot(db, tg, token, 'tg-crash');
      await waitFor(() => listings(tg) === 1, 'the cut-off update handled after the restart');
      // Handled in order after it: a later command is answered, and the listing was not repeated.
      // The recovered task's result may come first: wait for the help text itself (say fails without it).
      await say(tg, USER, '/help', (x) => x.includes('/projects'));
      assert.equal(listings(tg), 1);
      await waitFor(() => tg.pending() === 0, 'every update confirmed');
      // The task survived the crash (run again), and the same status message follows it to the result.
      await tg.waitForMessage(USER.id, (m) => m.text.includes('survive the crash') && !m.text.includes('CRA-1'), 'the result after the restart');
      await waitFor(() => status.text.includes('CRA-1 on echo: completed'), 'the status message edited to completed');
      assert.equal(tg.messages.filter((m) => m.chatId === USER.id && m.text.includes('CRA-1 on echo')).length, 1, 'no second status message');
    });
  });
}

describe('Telegram bot on two PostgreSQL nodes, one killed', { skip: !DIALECTS.includes('postgres') }, () => {
  it('the survivor takes over polling, the dead node’s cut-off update and its followed task', async () => {
    const tg = await startFakeTelegram();
    open.push(tg.close);
    const db = makeTestDatabase('postgres');
    open.push(() => db.drop());
    const token = `sbt_tgpair_${randomBytes(16).toString('hex')}`;
    // Short leases: the survivor may take over after about 6 s (one poll plus 5 s).
    const fast = { SWITCHBOARD_LEASE_MS: '2000' };
    const a = await serverWithBot(db, tg, token, 'tg-a', fast);
    const location = db.location;
    assert.equal(location.kind, 'postgres');
    const client = new pg.Client({ connectionString: location.url });
    await client.connect();
    open.push(() => client.end());
    const poller = async (): Promise<string | null | undefined> =>
      (await client.query<{ owner: string | null }>(`select owner from "${location.schema}".telegram_state where key = 'poller'`)).rows[0]?.owner;
    await waitFor(async () => (await poller()) === 'tg-a', 'node a to poll');
    await serverWithBot(db, tg, token, 'tg-b', fast);
    await linkAdmin(tg, a.url, token);
    assert.ok((await poller()) === 'tg-a', 'a still polls');
    tg.send(USER, '/execute CRA-1 echo {"delay_ms": 3000}');
    const status = await tg.waitForMessage(USER.id, (m) => m.text.includes('CRA-1 on echo: running'), 'the task running');

    const held = await cutOffListing(tg);
    a.child.kill('SIGKILL');
    await a.exited;
    held.release();
    await waitFor(() => listings(tg) === 1, 'node b to take over the cut-off update', 30_000);
    await waitFor(async () => (await poller()) === 'tg-b', 'b to poll');
    // The recovered task's result may come first: wait for the help text itself (say fails without it).
    await say(tg, USER, '/help', (x) => x.includes('/projects'));
    assert.equal(listings(tg), 1, 'handled once more, not twice');
    const claim = await client.query<{ node_id: string; done_at: string | null }>(
      `select node_id, done_at from "${location.schema}".telegram_updates where payload is null and node_id = 'tg-b' and done_at is not null`,
    );
    assert.ok(claim.rows.length >= 1, 'b finished the claim it took over');
    // The task (recovered by b when a's lease ran out) and its status message, followed on by b.
    await waitFor(() => tg.messages.find((m) => m.chatId === USER.id && m.text.includes('survive the crash') && !m.text.includes('CRA-1')), 'the result, posted by b', 30_000);
    await waitFor(() => status.text.includes('CRA-1 on echo: completed'), 'the status message edited to completed');
  });
});

describe('Telegram bot: an update handled again', () => {
  it('starts no second task; a refused edit and a flooding chat are survived', async () => {
    const tg = await startFakeTelegram();
    open.push(tg.close);
    const t = await startTestApp('sqlite', { env: { ...botEnv(tg), TELEGRAM_CHAT_RATE: '12' } });
    open.push(t.close);
    const cora = await t.createUser('cora', ['developer']);
    assert.match(await say(tg, USER, `/link ${await linkCode(t, cora.token)}`), /Linked/);
    assert.match(await say(tg, USER, '/create_project EXE Execute'), /Project EXE created/);
    assert.match(await say(tg, USER, '/create_task EXE run once'), /EXE-1 created/);
    const statuses = (): number => tg.messages.filter((m) => m.chatId === USER.id && m.text.includes('EXE-1 on echo')).length;
    // Telegram refuses an edit that changes nothing; the follower carries on.
    tg.fail('editMessageText', 400, 1, 1, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same');
    const id = tg.send(USER, '/execute EXE-1 echo');
    // The result (echo answers with the prompt, which names the card) follows the refused edit.
    await tg.waitForMessage(USER.id, (m) => m.text.includes('run once') && !m.text.includes('EXE-1'), 'the result');
    await waitFor(async () => (await t.app.store.db.selectFrom('telegram_updates').select('done_at').where('update_id', '=', id).executeTakeFirst())?.done_at != null, 'the claim finished');

    // As a crash would leave it: the claim open, its holder gone.
    await t.app.store.db
      .updateTable('telegram_updates')
      .set({ done_at: null, owner: 'gone/boot', claimed_at: 0, payload: JSON.stringify(tg.delivered(id)) })
      .where('update_id', '=', id)
      .execute();
    await waitFor(() => statuses() === 2, 'the sweep to handle the update again');
    const executions = (await (await t.request('/api/tasks/EXE-1/executions', { token: cora.token })).json()) as { executions: { execution_uuid: string }[] };
    assert.equal(executions.executions.length, 1, 'the repeat found the first execution');
    const runs = (await (await t.request('/api/runtime/tasks?limit=100', { token: cora.token })).json()) as { tasks: unknown[] };
    assert.equal(runs.tasks.length, 1, 'and no second runtime task');

    // 12 per minute: the link, the commands above and the repeat used 5.
    const helps = (): number => tg.messages.filter((m) => m.chatId === USER.id && m.text.includes('/create_task')).length;
    const before = helps();
    for (let i = 0; i < 10; i++) tg.send(USER, '/help');
    await tg.waitForMessage(USER.id, (m) => m.text === 'Too many messages; wait a minute.', 'the flood notice');
    await waitFor(() => tg.pending() === 0, 'every update confirmed');
    assert.equal(tg.messages.filter((m) => m.chatId === USER.id && m.text === 'Too many messages; wait a minute.').length, 1, 'one notice per flood');
    assert.equal(helps() - before, 7, 'seven answered, three dropped');
  });
});
