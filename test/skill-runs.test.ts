/**
 * Skill runs inside a task's life: cancel kills the skill's processes, the turn
 * limit ends a model that never stops calling tools, bad calls become tool errors.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Behaviour } from './fixtures/fake-llm-server.ts';
import { waitFor } from './helpers/wait.ts';
import { DIALECTS } from './helpers/databases.ts';
import { submit, waitForState } from './helpers/api.ts';
import { TOOL_PROVIDERS, call, open, setUp, skillAudit, toolResultsIn } from './fixtures/skill-fixtures.ts';

after(async () => {
  for (const close of open.reverse()) await close();
});

for (const dialect of DIALECTS) {
  describe(`skill runs and the task lifecycle (${dialect})`, () => {
    it('kills the skill process when the task is cancelled while the tool runs', async () => {
      const p = TOOL_PROVIDERS[1]!;
      const { t, agentType, skillsDir } = await setUp(dialect, p, [call('toolu_1', 'sleepy', {})]);
      const task = await submit(t, { agent_type: agentType, prompt: 'Sleep' });
      const pidFile = join(skillsDir, 'sleepy', 'pid.txt');
      await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 'the skill to start');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      const alive = (): boolean => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      assert.ok(alive());
      const res = await t.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST', body: '{}' });
      assert.equal(res.status, 200);
      await waitFor(() => !alive(), 'the skill process to be killed');
      assert.equal((await waitForState(t, task.task_id, ['cancelled'])).state, 'cancelled');
    });

    it('fails clearly when the model keeps calling tools past the turn limit', async () => {
      const p = TOOL_PROVIDERS[2]!;
      const { t, server, agentType } = await setUp(dialect, p, [call('a', 'shout', { text: 'a' }), call('b', 'shout', { text: 'b' })], ['shout'], 2);
      const task = await submit(t, { agent_type: agentType, prompt: 'Loop' });
      const done = await waitForState(t, task.task_id, ['completed', 'failed']);
      assert.equal(done.state, 'failed');
      assert.match(done.error ?? '', /still called tools after 2 turns/);
      assert.equal(server.received.length, 2);
    });

    it('applies a resource policy on skill:<id> that denies the task owner', async () => {
      const p = TOOL_PROVIDERS[1]!;
      const { t, server, agentType } = await setUp(dialect, p, [call('toolu_1', 'shout', { text: 'x' }), { kind: 'text', text: 'no luck' }]);
      const dev = await t.createUser(`denied-${dialect}`, ['developer']);
      const policy = await t.request('/api/policies', {
        method: 'POST',
        body: JSON.stringify({ resource_type: 'skill', resource_id: 'shout', denied_users: [dev.userId] }),
      });
      assert.equal(policy.status, 201, await policy.clone().text());
      const task = await submit(t, { agent_type: agentType, prompt: 'Shout' }, { token: dev.token });
      const done = await waitForState(t, task.task_id, ['completed', 'failed']);
      assert.equal(done.state, 'completed', String(done.error));
      const [result] = toolResultsIn(p.wire, server.received[1]!.body);
      assert.match(result?.content ?? '', /^Error: permission denied/);
      const denial = (await skillAudit(t, 'shout')).find((a) => a.event_type === 'permission.denied');
      assert.equal(denial?.user_id, dev.userId);
      assert.match(String(denial?.details['rule']), /polic|denied/);
    });

    it('answers a call to a tool that is not offered, or with input the schema refuses, with a tool error', async () => {
      const p = TOOL_PROVIDERS[0]!;
      const script: Behaviour[] = [
        { kind: 'tool_calls', calls: [{ id: 'c1', name: 'deploy', args: {} }, { id: 'c2', name: 'shout', args: { text: 42 } }] },
        { kind: 'text', text: 'ok' },
      ];
      const { t, server, agentType } = await setUp(dialect, p, script, ['shout']);
      const task = await submit(t, { agent_type: agentType, prompt: 'Try' });
      const done = await waitForState(t, task.task_id, ['completed', 'failed']);
      assert.equal(done.state, 'completed', String(done.error));
      const results = toolResultsIn(p.wire, server.received[1]!.body);
      assert.match(results[0]?.content ?? '', /^Error: no tool named "deploy"/);
      assert.match(results[1]?.content ?? '', /^Error: invalid input: input\/text must be string/);
    });
  });
}
