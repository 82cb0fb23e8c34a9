/**
 * Skill approvals through the Telegram bot: the approval arrives with Approve / Deny
 * buttons; a linked user who may not decide it is refused (the task keeps waiting),
 * the owner's press resumes it and the skill runs.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { startFakeTelegram, type FakeUser } from './helpers/fake-telegram.ts';
import { startTestApp } from './helpers/test-app.ts';
import { waitFor } from './helpers/wait.ts';
import { getState } from './helpers/api.ts';
import { startFakeProvider } from './fixtures/fake-llm-server.ts';
import { toolResultsIn, ALL_SKILLS, TOOL_PROVIDERS, call, toolAgent, writeTestSkills } from './fixtures/skill-fixtures.ts';
import { botEnv, linkCode } from './helpers/telegram-bot.ts';

const OWNER: FakeUser = { id: 7001, username: 'olga_tg' };
const OTHER: FakeUser = { id: 7002, username: 'otto_tg' };
const open: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

for (const dialect of DIALECTS) {
  describe(`Telegram approvals on ${dialect}`, () => {
    it('approves a waiting skill call with a button; a user without the right is refused', async () => {
      const p = TOOL_PROVIDERS[0]!;
      const llm = await startFakeProvider(p.wire, [call('call_1', 'deploy', { target: 'prod' }), { kind: 'text', text: 'Deployed.' }, call('call_2', 'deploy', { target: 'staging' }), { kind: 'text', text: 'Left as it was.' }, { kind: 'text', text: 'First answer.' }, { kind: 'text', text: 'Second answer.' }]);
      open.push(llm.close);
      const tg = await startFakeTelegram();
      open.push(tg.close);
      const db = makeTestDatabase(dialect);
      writeTestSkills(join(db.dataDir, 'skills'));
      const agent = toolAgent(p, llm.url, ALL_SKILLS);
      const t = await startTestApp(dialect, { db, extraAgents: [agent], env: botEnv(tg) });
      open.push(t.close);
      const owner = await t.createUser(`olga-${dialect}`, ['developer']);
      const other = await t.createUser(`otto-${dialect}`, ['developer']);
      for (const [u, who] of [[OWNER, owner], [OTHER, other]] as const) {
        const code = await linkCode(t, who.token);
        tg.send(u, `/link ${code}`);
        await tg.waitForMessage(u.id, (m) => m.text.includes('Linked'), 'the link');
      }
      tg.send(OWNER, '/create_project OPS Operations');
      await tg.waitForMessage(OWNER.id, (m) => m.text.includes('Project OPS created'));
      tg.send(OWNER, '/create_task OPS Deploy to prod');
      await tg.waitForMessage(OWNER.id, (m) => m.text.includes('OPS-1 created'));
      tg.send(OWNER, `/execute OPS-1 ${agent.info.agentType}`);
      const asking = await tg.waitForMessage(OWNER.id, (m) => m.text.includes('Approve running skill "deploy"') && m.replyMarkup !== null, 'the approval buttons');
      const buttons = (asking.replyMarkup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
      assert.deepEqual(buttons.map((b) => b.text), ['Approve', 'Deny']);
      const approve = buttons[0]!.callback_data;
      assert.ok(Buffer.byteLength(approve) <= 64);
      const status = tg.messages.find((m) => m.chatId === OWNER.id && m.text.includes('OPS-1 on'));
      const taskId = (await t.app.store.telegram.findPrompt(String(OWNER.id), status?.messageId ?? 0))?.taskId ?? '';

      // Someone else presses the button (e.g. it was forwarded): refused, nothing runs.
      const answersBefore = tg.calls.filter((c) => c.method === 'answerCallbackQuery').length;
      tg.press(OTHER, asking, approve);
      const refusal = await waitFor(() => tg.calls.filter((c) => c.method === 'answerCallbackQuery').at(answersBefore), 'the refusal');
      assert.equal(refusal.params['show_alert'], true);
      assert.match(String(refusal.params['text']), /No such task|Permission denied/);
      assert.equal((await getState(t, taskId)).state, 'waiting');
      assert.equal(llm.received.length, 1, 'the skill did not run');

      tg.press(OWNER, asking, approve);
      await waitFor(() => tg.messages.find((m) => m.chatId === OWNER.id && m.text.endsWith('Deployed.')), 'the result');
      assert.equal((await getState(t, taskId)).state, 'completed');
      assert.ok(tg.messages.some((m) => m.text.includes(`Approved by olga-${dialect}`)));

      // Denied with the other button: the model is told, and the task ends without running the skill.
      const before = tg.messages.length;
      tg.send(OWNER, `/execute OPS-1 ${agent.info.agentType}`);
      const again = await tg.waitForMessage(OWNER.id, (m) => tg.messages.indexOf(m) >= before && m.text.includes('Approve running skill "deploy"') && m.replyMarkup !== null, 'the second approval');
      const deny = (again.replyMarkup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat().find((b) => b.text === 'Deny');
      assert.ok(deny);
      tg.press(OWNER, again, deny.callback_data);
      await waitFor(() => tg.messages.find((m) => tg.messages.indexOf(m) > tg.messages.indexOf(again) && m.chatId === OWNER.id && m.text.endsWith('Left as it was.')), 'the result after the denial');
      assert.ok(tg.messages.some((m) => m.text.includes(`Denied by olga-${dialect}`)));
      const results = toolResultsIn(p.wire, llm.received.at(-1)!.body);
      assert.match(results.at(-1)?.content ?? '', /denied by/);

      // A project chat talks to the project's default agent, which hears the conversation so far.
      const group = -100_888;
      const patched = await t.request('/api/projects/OPS', { method: 'PATCH', body: JSON.stringify({ telegram_chat_id: String(group), default_agent_type: agent.info.agentType }) });
      assert.equal(patched.status, 200, await patched.clone().text());
      tg.send(OWNER, 'What is deployed?', { chatId: group, chatType: 'group' });
      await tg.waitForMessage(group, (m) => m.text.endsWith('First answer.'), 'the first answer');
      tg.send(OWNER, 'And where?', { chatId: group, chatType: 'group' });
      await tg.waitForMessage(group, (m) => m.text.endsWith('Second answer.'), 'the second answer');
      const sent = (llm.received.at(-1)?.body.messages ?? []) as Array<{ role: string; content: unknown }>;
      const said = sent.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => `${m.role}:${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`);
      assert.deepEqual(said.slice(-3), ['user:What is deployed?', 'assistant:First answer.', 'user:And where?']);
    });
  });
}
