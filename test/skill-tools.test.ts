/**
 * Skills as tools of LLM agents, end to end: a real app (real database, HTTP on
 * loopback), a fake provider speaking each wire format, and real skill processes.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEXT_TURN_USAGE, TOOL_TURN_USAGE } from './fixtures/fake-llm-server.ts';
import { DIALECTS } from './helpers/databases.ts';
import { eventsOf, submit, waitForState } from './helpers/api.ts';
import { TOOL_PROVIDERS, call, open, setUp, skillAudit, toolResultsIn } from './fixtures/skill-fixtures.ts';

after(async () => {
  for (const close of open.reverse()) await close();
});

for (const dialect of DIALECTS) {
  for (const p of TOOL_PROVIDERS) {
    describe(`${p.wire} agent with skills as tools (${dialect})`, () => {
      it('offers the allowed skills, runs the called skill and sends its output back, summing usage', async () => {
        const { t, server, agentType } = await setUp(dialect, p, [call('call_1', 'shout', { text: 'hello' }), { kind: 'text', text: 'It says SHOUT:HELLO.' }], ['shout']);
        const task = await submit(t, { agent_type: agentType, prompt: 'Shout hello' });
        const done = await waitForState(t, task.task_id, ['completed', 'failed']);
        assert.equal(done.state, 'completed', String(done.error));
        assert.equal(done.result, 'Let me check.\n\nIt says SHOUT:HELLO.');

        assert.equal(server.received.length, 2);
        const offered = JSON.stringify(server.received[0]?.body['tools']);
        assert.match(offered, /"shout"/);
        assert.match(offered, /Instructions for shout/, 'the SKILL.md body is part of the tool');
        assert.doesNotMatch(offered, /deploy/, 'only allowed skills are offered');
        const results = toolResultsIn(p.wire, server.received[1]!.body);
        assert.deepEqual(results.map((r) => [r.content, r.isError]), [['SHOUT:HELLO', false]]);
        if (p.wire !== 'ollama') assert.equal(results[0]?.id, 'call_1');
        assert.ok(JSON.stringify(server.received[1]?.body).includes('hello'), 'the assistant turn with the call is sent back');

        const usage = (done as unknown as { metadata: { usage: Record<string, number> } }).metadata.usage;
        assert.equal(usage['input_tokens'], TOOL_TURN_USAGE.input + TEXT_TURN_USAGE.input);
        assert.equal(usage['output_tokens'], TOOL_TURN_USAGE.output + TEXT_TURN_USAGE.output);

        const events = await eventsOf(t, task.task_id);
        // The task's watchers see each call's input and result (the audit keeps only the input's keys).
        const called = events.find((e) => e.event_type === 'log' && e.message === 'tool call: shout');
        assert.match(String(called?.metadata?.['input']), /"text":\s*"hello"/);
        const returned = events.find((e) => e.event_type === 'log' && /^tool shout: ok/.test(e.message ?? ''));
        assert.equal(returned?.metadata?.['result'], 'SHOUT:HELLO');
        assert.equal(returned?.metadata?.['call_id'], called?.metadata?.['call_id']);
        const audit = await skillAudit(t, 'shout');
        const accessed = audit.find((a) => a.event_type === 'resource.accessed');
        assert.equal(accessed?.status, 'success');
        assert.equal(accessed?.action, 'skill.execute');
        assert.equal(accessed?.details['task_id'], task.task_id);
        assert.deepEqual(accessed?.details['input_keys'], ['text']);
        assert.ok(!JSON.stringify(audit).includes('hello'), 'input values stay out of the audit');
      });

      it('refuses a call the owner may not make: permission.denied in audit, a tool error to the model, and the task completes', async () => {
        const { t, server, agentType } = await setUp(dialect, p, [call('call_1', 'guarded', {}), { kind: 'text', text: 'I could not.' }]);
        const dev = await t.createUser(`dev-${p.wire}`, ['developer']);
        const task = await submit(t, { agent_type: agentType, prompt: 'Use the guarded skill' }, { token: dev.token });
        const done = await waitForState(t, task.task_id, ['completed', 'failed']);
        assert.equal(done.state, 'completed', String(done.error));
        const [result] = toolResultsIn(p.wire, server.received[1]!.body);
        assert.equal(result?.isError, true);
        assert.match(result?.content ?? '', /^Error: permission denied: .*admin:system/);
        const denial = (await skillAudit(t, 'guarded')).find((a) => a.event_type === 'permission.denied');
        assert.equal(denial?.user_id, dev.userId);
        assert.equal(denial?.action, 'skill.execute');
        assert.equal(denial?.details['task_id'], task.task_id);
        assert.equal(denial?.details['permission'], 'admin:system');
      });
    });
  }
}
