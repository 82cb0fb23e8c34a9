/**
 * Approvals of skill calls over HTTP: the task waits, `/answer` cannot resume it,
 * approve runs the skill, deny hands the model a tool error; both are audited.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { eventsOf, submit, waitForState } from './helpers/api.ts';
import { TOOL_PROVIDERS, call, open, setUp, skillAudit, toolResultsIn } from './fixtures/skill-fixtures.ts';

after(async () => {
  for (const close of open.reverse()) await close();
});

for (const dialect of DIALECTS) {
  describe(`approvals of skill calls (${dialect})`, () => {
    for (const p of TOOL_PROVIDERS) {
      it(`${p.wire}: waits for an approval, refuses /answer, then runs the skill once the owner approves`, async () => {
        const { t, server, agentType } = await setUp(dialect, p, [call('call_9', 'deploy', { target: 'prod' }), { kind: 'text', text: 'Deployed.' }]);
        const dev = await t.createUser(`owner-${p.wire}`, ['developer']);
        const other = await t.createUser(`other-${p.wire}`, ['developer']);
        const task = await submit(t, { agent_type: agentType, prompt: 'Deploy to prod' }, { token: dev.token });
        const waiting = await waitForState(t, task.task_id, ['waiting', 'completed', 'failed']);
        assert.equal(waiting.state, 'waiting');
        assert.match(waiting.question ?? '', /Approve running skill "deploy"/);
        const asked = (await eventsOf(t, task.task_id)).filter((e) => e.state === 'waiting').at(-1);
        assert.equal(asked?.metadata?.['kind'], 'approval');
        assert.equal(asked?.metadata?.['skill'], 'deploy');
        const approvalId = String(asked?.metadata?.['approval_id']);

        const answered = await t.request(`/api/runtime/tasks/${task.task_id}/answer`, { method: 'POST', body: JSON.stringify({ answer: 'yes' }), token: dev.token });
        assert.equal(answered.status, 409);
        assert.equal(((await answered.json()) as { error: { code: string } }).error.code, 'TASK_AWAITING_APPROVAL');
        const stranger = await t.request(`/api/runtime/tasks/${task.task_id}/approve`, { method: 'POST', body: JSON.stringify({ decision: 'approve' }), token: other.token });
        assert.equal(stranger.status, 404, 'someone who cannot see the task cannot approve it');
        assert.equal(server.received.length, 1, 'nothing ran while waiting');
        // The inbox: an approval goes to whoever may decide it, a question to the task's owner alone.
        const question = await submit(t, { agent_type: 'echo', prompt: 'q', context: { ask: 'Which branch?' } }, { token: dev.token });
        await waitForState(t, question.task_id, ['waiting']);
        const inboxOf = async (token?: string) => {
          const res = await t.request('/api/runtime/inbox', token === undefined ? {} : { token });
          assert.equal(res.status, 200);
          return ((await res.json()) as { tasks: Array<{ task_id: string; waiting: { kind: string } | null }> }).tasks.map((x) => `${x.task_id}:${x.waiting?.kind}`);
        };
        assert.deepEqual(await inboxOf(dev.token), [`${question.task_id}:question`, `${task.task_id}:approval`]);
        assert.deepEqual(await inboxOf(other.token), [], "another developer's tasks are not hers to decide");
        assert.deepEqual(await inboxOf(), [`${task.task_id}:approval`], "the admin may decide the approval, not answer the owner's question");
        assert.equal((await t.request(`/api/runtime/tasks/${question.task_id}/cancel`, { method: 'POST', token: dev.token })).status, 200);

        const approved = await t.request(`/api/runtime/tasks/${task.task_id}/approve`, {
          method: 'POST',
          body: JSON.stringify({ decision: 'approve', approval_id: approvalId }),
          token: dev.token,
        });
        assert.equal(approved.status, 200, await approved.clone().text());
        const done = await waitForState(t, task.task_id, ['completed', 'failed']);
        assert.equal(done.state, 'completed', String(done.error));
        assert.deepEqual(toolResultsIn(p.wire, server.received[1]!.body).map((r) => r.content), ['deployed prod']);
        const audit = await skillAudit(t, 'deploy');
        const granted = audit.find((a) => a.event_type === 'permission.granted');
        assert.equal(granted?.action, 'skill.approve');
        assert.equal(granted?.user_id, dev.userId);
        assert.equal(granted?.details['approval_id'], approvalId);
        assert.ok(audit.some((a) => a.event_type === 'resource.accessed' && a.status === 'success'));
        const again = await t.request(`/api/runtime/tasks/${task.task_id}/approve`, { method: 'POST', body: JSON.stringify({ decision: 'approve' }), token: dev.token });
        assert.equal(again.status, 409);
      });
    }

    it('hands a denial to the model as a tool error and audits it', async () => {
      const p = TOOL_PROVIDERS[0]!;
      const { t, server, agentType } = await setUp(dialect, p, [call('call_2', 'deploy', { target: 'prod' }), { kind: 'text', text: 'Not deployed.' }]);
      const task = await submit(t, { agent_type: agentType, prompt: 'Deploy to prod' });
      await waitForState(t, task.task_id, ['waiting']);
      const denied = await t.request(`/api/runtime/tasks/${task.task_id}/approve`, { method: 'POST', body: JSON.stringify({ decision: 'deny', reason: 'not today' }) });
      assert.equal(denied.status, 200);
      const done = await waitForState(t, task.task_id, ['completed', 'failed']);
      assert.equal(done.state, 'completed', String(done.error));
      const [result] = toolResultsIn(p.wire, server.received[1]!.body);
      assert.equal(result?.content, 'Error: denied by admin: not today');
      const audit = await skillAudit(t, 'deploy');
      const denial = audit.find((a) => a.event_type === 'permission.denied');
      assert.equal(denial?.action, 'skill.approve');
      assert.equal(denial?.details['reason'], 'not today');
      assert.ok(!audit.some((a) => a.event_type === 'resource.accessed'), 'the denied skill never ran');
    });
  });
}
