/**
 * The Telegram bot end to end: a real app on every database, the production grammY
 * client talking to a local Bot API server (test/helpers/fake-telegram.ts). Linking
 * (expired and reused codes refused), commands as the linked user, live progress and
 * results, questions answered by reply, an unlinked user refused, a 429 honoured, a
 * restart that neither drops nor repeats an update.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, makeTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { startFakeTelegram, type FakeTelegram, type FakeUser } from './helpers/fake-telegram.ts';
import { botEnv, linkCode, say } from './helpers/telegram-bot.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { waitFor } from './helpers/wait.ts';
import { runCliAgainst } from './helpers/cli-process.ts';

const ALICE: FakeUser = { id: 5001, username: 'alice_tg' };
const VIEWER: FakeUser = { id: 5002, username: 'vera_tg' };
const STRANGER: FakeUser = { id: 5003, username: 'mallory_tg' };

/** Sends a message and waits for the next bot message in that chat. */
for (const dialect of DIALECTS) {
  describe(`Telegram bot on ${dialect}`, () => {
    let tg: FakeTelegram;
    let t: TestApp;
    let db: TestDatabase;
    let alice: { userId: string; token: string };

    before(async () => {
      tg = await startFakeTelegram();
      db = makeTestDatabase(dialect);
      t = await startTestApp(dialect, { db, env: botEnv(tg) });
      alice = await t.createUser(`alice-${dialect}`, ['developer']);
    });
    after(async () => {
      await t.close();
      await tg.close();
      await db.drop();
    });

    it('tells an unlinked user how to link and does nothing else', async () => {
      assert.match(await say(tg, STRANGER, '/projects'), /not linked.*\/link CODE/s);
      assert.match(await say(tg, STRANGER, 'hello'), /not linked/);
    });

    it('links with a one-time code and refuses a reused or expired one', async () => {
      const code = await linkCode(t, alice.token);
      assert.match(await say(tg, ALICE, `/link ${code}`), new RegExp(`Linked: you act as alice-${dialect}`));
      assert.match(await say(tg, STRANGER, `/link ${code}`), /already used/);
      const stale = await linkCode(t, alice.token);
      await t.app.store.db.updateTable('telegram_link_codes').set({ expires_at: Date.now() - 1 }).where('used_at', 'is', null).execute();
      assert.match(await say(tg, STRANGER, `/link ${stale}`), /expired/);
      assert.match(await say(tg, STRANGER, '/link NOTACODE1234'), /not valid/);
      // Five wrong codes, then even a good one waits: guessing is slowed down.
      assert.match(await say(tg, STRANGER, '/link NOTACODE5678'), /not valid/);
      assert.match(await say(tg, STRANGER, '/link NOTACODE9999'), /not valid/);
      const good = await linkCode(t, alice.token);
      assert.match(await say(tg, STRANGER, `/link ${good}`), /Too many wrong codes; try again in 10 min/);
      const links = (await (await t.request('/api/telegram/links', { token: alice.token })).json()) as { links: { telegram_user_id: string }[] };
      assert.deepEqual(links.links.map((l) => l.telegram_user_id), [String(ALICE.id)]);
      const rows = await t.app.store.db.selectFrom('telegram_link_codes').select('code_hash').execute();
      assert.ok(rows.every((r) => r.code_hash !== code && r.code_hash.length === 64), 'codes are stored hashed');
    });

    it('creates a project and a task as the linked user, audited with the channel', async () => {
      assert.match(await say(tg, ALICE, '/create_project DEMO Demo project'), /Project DEMO created/);
      assert.match(await say(tg, ALICE, '/create_task DEMO Write the docs'), /DEMO-1 created: Write the docs/);
      assert.match(await say(tg, ALICE, '/tasks DEMO'), /DEMO-1 \[todo\] Write the docs/);
      assert.match(await say(tg, ALICE, '/board DEMO'), /TODO \(1\)\n {2}DEMO-1 Write the docs/);
      assert.match(await say(tg, ALICE, '/projects'), /DEMO — Demo project/);
      assert.match(await say(tg, ALICE, '/agents'), /echo/);
      const res = await t.request('/api/projects/DEMO');
      const project = (await res.json()) as { id: number };
      const audit = (await (await t.request(`/api/audit/events?user_id=${alice.userId}&resource_type=board_task`)).json()) as { events: { action: string }[] };
      assert.ok(audit.events.some((e) => e.action === 'board_task.create'), 'the task creation is audited as alice');
      assert.ok(project.id > 0);
    });

    it('executes on echo: one message edited with progress, then the result', async () => {
      const before = tg.messages.length;
      tg.send(ALICE, '/execute DEMO-1 echo {"delay_ms": 800, "progress_interval_ms": 100}');
      const status = await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) >= before && m.text.includes('DEMO-1 on echo'), 'the status message');
      await waitFor(() => status.text.includes('completed'), 'the status message to say completed');
      assert.ok(status.history.length >= 3, `edited as it went: ${JSON.stringify(status.history)}`);
      assert.ok(status.history.some((h) => /running/.test(h)), 'progress was shown');
      const result = await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) > tg.messages.indexOf(status) && m.text.includes('Write the docs'), 'the result');
      assert.ok(result.text.length <= 4096);
      assert.match(await say(tg, ALICE, '/status DEMO-1'), /Last run: echo, completed/);
      const submitted = (await (await t.request(`/api/audit/events?user_id=${alice.userId}&event_type=task.submitted`)).json()) as { events: { details: Record<string, unknown> }[] };
      assert.equal(submitted.events[0]?.details['channel'], 'telegram');
    });

    it('asks the agent\'s question as a message, and a reply answers it', async () => {
      const before = tg.messages.length;
      tg.send(ALICE, '/execute DEMO-1 echo {"ask": "Which colour?"}');
      const question = await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) >= before && m.text.includes('Which colour?') && m.text.includes('Reply to this message'), 'the question');
      tg.send(ALICE, 'Blue', { replyTo: question.messageId });
      await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) > tg.messages.indexOf(question) && m.text.includes('"answer": "Blue"'), 'the result with the answer');
    });

    it('answers a reply that arrives before the question\'s prompt is stored', async () => {
      // The question reaches the chat at once, but Telegram's answer (with its message id) comes late.
      tg.slow('sendMessage', (p) => String(p['text']).includes('Which shape?'), 700);
      const before = tg.messages.length;
      tg.send(ALICE, '/execute DEMO-1 echo {"ask": "Which shape?"}');
      const question = await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) >= before && m.text.includes('Which shape?') && m.text.includes('Reply to this message'), 'the question');
      tg.send(ALICE, 'Round', { replyTo: question.messageId });
      await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) > tg.messages.indexOf(question) && m.text.includes('"answer": "Round"'), 'the result with the answer');
      console.log('MSGS', JSON.stringify(tg.messages.slice(before).map((m) => m.text.slice(0, 60))));
      assert.ok(!tg.messages.some((m) => m.chatId === ALICE.id && tg.messages.indexOf(m) > tg.messages.indexOf(question) && /Send a command/.test(m.text)), 'the reply was not taken for a stray message');
    });

    it('sends a long result as a file', async () => {
      const long = 'x'.repeat(20_000);
      const before = tg.messages.length;
      tg.send(ALICE, `/create_task DEMO ${long.slice(0, 400)}`);
      await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) >= before && m.text.includes('DEMO-2 created'), 'DEMO-2');
      const res = await t.request('/api/tasks/DEMO-2', { method: 'PATCH', body: JSON.stringify({ description: long }) });
      assert.equal(res.status, 200);
      tg.send(ALICE, '/execute DEMO-2 echo');
      const doc = await waitFor(() => tg.messages.find((m) => m.chatId === ALICE.id && m.document !== undefined), 'a document');
      assert.ok((doc.document?.content.length ?? 0) > 20_000);
    });

    it('says which permission a refused command lacks', async () => {
      const vera = await t.createUser(`vera-${dialect}`, ['viewer']);
      const code = await linkCode(t, vera.token);
      await say(tg, VIEWER, `/link ${code}`, (x) => x.includes('Linked'));
      assert.match(await say(tg, VIEWER, '/create_project NOPE Nope'), /Permission denied: you need project:write/);
      assert.match(await say(tg, VIEWER, '/execute DEMO-1 echo'), /Permission denied: you need project:write/);
      const denied = (await (await t.request(`/api/audit/events?user_id=${vera.userId}&event_type=permission.denied`)).json()) as { events: { details: Record<string, unknown> }[] };
      assert.equal(denied.events[0]?.details['channel'], 'telegram');
    });

    it('honours a 429 with retry_after and still delivers the answer', async () => {
      tg.fail('sendMessage', 429, 1, 1);
      const started = Date.now();
      assert.match(await say(tg, ALICE, '/projects'), /DEMO/);
      assert.ok(Date.now() - started >= 900, 'waited retry_after before sending again');
      const sends = tg.calls.filter((c) => c.method === 'sendMessage' && c.at >= started);
      assert.ok(sends.length >= 2, 'the refused call was retried');
    });

    it('waits the retry_after of a 429 on getUpdates before polling again', async () => {
      const t0 = Date.now();
      tg.fail('getUpdates', 429, 1, 2);
      const polls = (): { at: number }[] => tg.calls.filter((c) => c.method === 'getUpdates' && c.at >= t0);
      // The poll waiting now answers normally; the next one is refused, and the one after waits 2 s.
      const refused = await waitFor(() => polls()[0], 'the refused poll');
      const next = await waitFor(() => polls()[1], 'the poll after the wait');
      assert.ok(next.at - refused.at >= 1900, `polled again ${next.at - refused.at} ms after the 429`);
      assert.match(await say(tg, ALICE, '/projects'), /DEMO/);
    });

    it('rides out a Bot API outage of getUpdates: an update sent meanwhile is handled once, after it', async () => {
      const t0 = Date.now();
      tg.fail('getUpdates', 500, 2);
      // The outage has begun once a poll was refused (a poll already waiting answers normally).
      await waitFor(() => tg.calls.some((c) => c.method === 'getUpdates' && c.at >= t0) || undefined, 'a refused poll', 5_000);
      const before = tg.messages.length;
      tg.send(ALICE, '/projects');
      // The poller backs off 0.5 s, then 1 s: the update is answered soon after the outage.
      await waitFor(() => tg.messages.slice(before).find((m) => m.chatId === ALICE.id && /DEMO/.test(m.text)), 'the answer after the outage');
      assert.equal(tg.messages.slice(before).filter((m) => m.chatId === ALICE.id && /DEMO/.test(m.text)).length, 1, 'answered once');
      assert.ok(tg.calls.filter((c) => c.method === 'getUpdates' && c.at >= t0).length >= 3, 'polled again after the refusals');
    });

    it('cancels the running execution of a task with /cancel, and the status message says so', async () => {
      const before = tg.messages.length;
      tg.send(ALICE, '/execute DEMO-1 echo {"delay_ms": 30000, "progress_interval_ms": 200}');
      const status = await tg.waitForMessage(ALICE.id, (m) => tg.messages.indexOf(m) >= before && m.text.includes('DEMO-1 on echo'), 'the status message');
      await waitFor(() => status.text.includes('running'), 'the status message to say running');
      assert.match(await say(tg, ALICE, '/cancel DEMO-1', (x) => x.includes('DEMO-1')), /DEMO-1: cancelled/);
      await waitFor(() => status.text.includes('cancelled'), 'the status message to say cancelled');
      assert.match(await say(tg, ALICE, '/status DEMO-1'), /Last run: echo, cancelled/);
    });

    it('unlinks from the bot; the user is then refused', async () => {
      assert.match(await say(tg, VIEWER, '/unlink'), /Unlinked/);
      assert.match(await say(tg, VIEWER, '/projects'), /not linked/);
    });

    it('sends plain messages of a project chat to the project\'s default agent, in one session per member', async () => {
      const group = -100_777;
      const res = await t.request('/api/projects/DEMO', { method: 'PATCH', body: JSON.stringify({ telegram_chat_id: String(group), default_agent_type: 'echo' }) });
      assert.equal(res.status, 200, await res.clone().text());
      tg.send(ALICE, 'first turn', { chatId: group, chatType: 'group' });
      await tg.waitForMessage(group, (m) => m.text === 'first turn', 'the first result');
      tg.send(ALICE, 'second turn', { chatId: group, chatType: 'group' });
      await tg.waitForMessage(group, (m) => m.text === 'second turn', 'the second result');
      const project = (await (await t.request('/api/projects/DEMO')).json()) as { id: number };
      const listed = (await (await t.request(`/api/runtime/tasks?project_id=${project.id}`, { token: alice.token })).json()) as { tasks: { prompt: string; session_id: string | null; context: Record<string, unknown> }[] };
      const turns = listed.tasks.filter((x) => x.prompt.endsWith(' turn'));
      assert.equal(turns.length, 2);
      assert.ok(turns[0]?.session_id !== null && turns[0]?.session_id === turns[1]?.session_id, 'both turns in one session (its history is the conversation)');
      assert.equal((turns[0]?.context['project'] as { key: string }).key, 'DEMO');
    });

    it('links with a code from `switchboard telegram link`, lists and unlinks from the CLI', async () => {
      const made = await runCliAgainst(t, ['telegram', 'link'], { token: alice.token });
      assert.equal(made.code, 0, made.stderr);
      const code = made.stdout.trim();
      assert.match(code, /^[A-Z2-9]{12}$/);
      assert.match(await say(tg, VIEWER, `/link ${code.toLowerCase()}`), new RegExp(`act as alice-${dialect}`));
      const listed = await runCliAgainst(t, ['telegram', 'links'], { token: alice.token });
      assert.match(listed.stdout, new RegExp(`${VIEWER.id}\\s+${VIEWER.username}`));
      const strangerUnlink = await t.request(`/api/telegram/links/${VIEWER.id}`, { method: 'DELETE', token: (await t.createUser(`other-${dialect}`, ['developer'])).token });
      assert.equal(strangerUnlink.status, 404, 'someone else cannot unlink it');
      const unlinked = await runCliAgainst(t, ['telegram', 'unlink', String(VIEWER.id)], { token: alice.token });
      assert.equal(unlinked.code, 0, unlinked.stderr);
      assert.match(await say(tg, VIEWER, '/projects'), /not linked/);
    });

    it('neither drops nor repeats an update across a restart (offset in the database)', async () => {
      const answered = (id: number): number => tg.messages.filter((m) => m.chatId === ALICE.id && m.text.includes(`marker-${id}`)).length;
      tg.send(ALICE, '/create_task DEMO marker-1');
      await waitFor(() => answered(1) === 1, 'marker-1 answered');
      await t.app.close();
      // Sent while the server is down: handled once after the restart.
      tg.send(ALICE, '/create_task DEMO marker-2');
      t = await startTestApp(dialect, { db, env: botEnv(tg) });
      await waitFor(() => answered(2) === 1, 'marker-2 answered after the restart');
      tg.send(ALICE, '/create_task DEMO marker-3');
      await waitFor(() => answered(3) === 1, 'marker-3 answered');
      assert.equal(answered(1), 1, 'marker-1 was not handled again');
      assert.equal(answered(2), 1);
      const cards = (await (await t.request('/api/tasks?project_id=DEMO&q=marker', { token: alice.token })).json()) as { tasks: unknown[] };
      assert.equal(cards.tasks.length, 3);
    });
  });
}
