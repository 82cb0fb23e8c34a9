/**
 * Tasks in a session on every database: which session a submit may name, what an
 * agent of a task in a session gets (its memory and the conversation so far), and
 * the LLM agents sending that conversation to their provider as alternating
 * user/assistant messages (against local stand-ins of each provider's API).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { submit, waitForState, type WireTask } from './helpers/api.ts';
import type { AgentAdapter } from '../src/core/ports/agent-adapter.ts';
import { isSwitchboardError } from '../src/core/domain/errors.ts';
import { createOpenAiAgent } from '../src/agents/openai/openai-agent.ts';
import { createAnthropicAgent } from '../src/agents/anthropic/anthropic-agent.ts';
import { createOllamaAgent } from '../src/agents/ollama/ollama-agent.ts';
import { REPLY, startFakeProvider, type FakeProvider, type Received } from './fixtures/fake-llm-server.ts';

interface Session { session_id: string; token: string }

/** Reports what it got of its session: the memory before its own write, the history, a limit error. */
const probe: AgentAdapter = {
  info: { agentType: 'probe', name: 'Probe', description: 'Reports its session scope', capabilities: [], metadata: {} },
  retry: { maxAttempts: 1, backoffMs: 1000 },
  isAvailable: async () => true,
  async run(ctx) {
    const before = ctx.memory === undefined ? 'no memory' : ((await ctx.memory.get('turns')) ?? null);
    if (ctx.memory !== undefined) await ctx.memory.set('turns', typeof before === 'number' ? before + 1 : 1);
    let limit: string | null = null;
    if (ctx.context['big'] === true && ctx.memory !== undefined) {
      try {
        await ctx.memory.set('big', 'x'.repeat(70_000));
      } catch (err) {
        limit = isSwitchboardError(err) ? err.code : String(err);
      }
    }
    return { result: { session_id: ctx.sessionId, memory_before: before, history: ctx.history.map((h) => [h.prompt, h.reply]), limit } };
  },
};

const KEY = 'sk-session-test-3b9d0c7e21';
const providers: FakeProvider[] = [];

/** The text of a provider message: a string, or the text parts of a content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p.text ?? '').join('');
  return '';
}
const chat = (r: Received | undefined): [string, string][] =>
  (r?.body.messages ?? []).filter((m) => m.role !== 'system').map((m) => [m.role, textOf(m.content)]);

for (const dialect of DIALECTS) {
  describe(`tasks in a session on ${dialect}`, () => {
    let t: TestApp;
    let ada: { userId: string; token: string };
    let bob: { userId: string; token: string };
    let openai: FakeProvider;
    let anthropic: FakeProvider;
    let ollama: FakeProvider;
    const newSession = async (token: string): Promise<Session> => {
      const res = await t.request('/api/runtime/sessions', { method: 'POST', token, body: '{}' });
      assert.equal(res.status, 201);
      return (await res.json()) as Session;
    };
    const run = async (body: Record<string, unknown>, token: string, state = 'completed'): Promise<WireTask> => {
      const task = await submit(t, body, { token });
      return waitForState(t, task.task_id, [state]);
    };
    const trySubmit = (body: Record<string, unknown>, token: string) =>
      t.request('/api/runtime/tasks/submit', { method: 'POST', token, body: JSON.stringify(body) });

    before(async () => {
      openai = await startFakeProvider('openai');
      anthropic = await startFakeProvider('anthropic');
      ollama = await startFakeProvider('ollama');
      providers.push(openai, anthropic, ollama);
      const llm = { model: 'test-model', systemPrompt: 'Be brief.' };
      t = await startTestApp(dialect, {
        extraAgents: [
          probe,
          createOpenAiAgent({ ...llm, id: 'gpt-test', baseUrl: `${openai.url}/v1` }),
          createAnthropicAgent({ ...llm, id: 'claude-test', baseUrl: anthropic.url, apiKey: KEY, apiKeyRef: 'env:TEST_KEY' }),
          createOllamaAgent({ ...llm, id: 'llama-test', baseUrl: ollama.url }),
        ],
      });
      ada = await t.createUser('ada', ['developer']);
      bob = await t.createUser('bob', ['developer']);
    });
    after(async () => {
      await t.close();
      for (const p of providers.splice(0)) await p.close();
    });

    it('gives a task in a session its memory and the conversation so far; a task outside a session gets neither', async () => {
      const s = await newSession(ada.token);
      const first = await run({ agent_type: 'probe', prompt: 'first' }, s.token);
      assert.deepEqual(first.result, { session_id: s.session_id, memory_before: null, history: [], limit: null });
      assert.equal((await run({ agent_type: 'echo', prompt: 'hello' }, s.token)).result, 'hello');
      await run({ agent_type: 'echo', prompt: 'not a turn', context: { fail: 'boom' } }, s.token, 'failed');
      const third = await run({ agent_type: 'probe', prompt: 'third' }, s.token);
      assert.deepEqual(third.result, {
        session_id: s.session_id,
        memory_before: 1,
        // Completed tasks only, oldest first; a non-string result is its JSON text.
        history: [['first', JSON.stringify(first.result)], ['hello', 'hello']],
        limit: null,
      });
      const turns = await t.request(`/api/runtime/sessions/${s.session_id}/memory/turns`, { token: s.token });
      assert.equal(((await turns.json()) as { value: unknown }).value, 2);
      const writes = (await t.app.store.tasks.listAudit(0, 100_000)).filter((r) => r.eventType === 'resource.modified' && r.resourceId === s.session_id);
      assert.ok(writes.some((r) => r.details['by'] === 'agent' && r.details['task_id'] === third.task_id && r.userId === ada.userId));

      const outside = await run({ agent_type: 'probe', prompt: 'no session' }, ada.token);
      assert.deepEqual(outside.result, { session_id: null, memory_before: 'no memory', history: [], limit: null });
      const limited = await run({ agent_type: 'probe', prompt: 'too big', context: { big: true } }, s.token);
      assert.equal((limited.result as { limit: string }).limit, 'SESSION_MEMORY_VALUE_TOO_LARGE');
    });

    it('lets an API token submit into a live session of its own user, and nothing else (audited)', async () => {
      const s = await newSession(ada.token);
      const viaToken = await run({ agent_type: 'probe', prompt: 'by token', session_id: s.session_id }, ada.token);
      assert.equal((viaToken.result as { session_id: string }).session_id, s.session_id);

      const foreign = await trySubmit({ agent_type: 'probe', prompt: 'into ada', session_id: s.session_id }, bob.token);
      assert.equal(foreign.status, 404);
      assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'SESSION_NOT_FOUND');
      const bobSession = await newSession(bob.token);
      assert.equal((await trySubmit({ agent_type: 'probe', prompt: 'x', session_id: s.session_id }, bobSession.token)).status, 404);
      const sibling = await newSession(ada.token);
      const crossed = await trySubmit({ agent_type: 'probe', prompt: 'x', session_id: s.session_id }, sibling.token);
      assert.equal(crossed.status, 403);
      assert.equal((await trySubmit({ agent_type: 'probe', prompt: 'x', session_id: crypto.randomUUID() }, ada.token)).status, 404);
      const gone = await newSession(ada.token);
      assert.equal((await t.request(`/api/runtime/sessions/${gone.session_id}`, { method: 'DELETE', token: ada.token })).status, 200);
      assert.equal((await trySubmit({ agent_type: 'probe', prompt: 'x', session_id: gone.session_id }, ada.token)).status, 404);
      // The session's own caller may name it explicitly.
      assert.equal((await trySubmit({ agent_type: 'echo', prompt: 'x', session_id: sibling.session_id }, sibling.token)).status, 202);

      const denials = (await t.app.store.tasks.listAudit(0, 100_000)).filter((r) => r.eventType === 'permission.denied' && r.resourceType === 'session');
      assert.ok(denials.some((r) => r.userId === bob.userId && r.resourceId === s.session_id && r.action === 'task:submit'));
      assert.ok(denials.some((r) => r.userId === ada.userId && r.sessionId === sibling.session_id && r.resourceId === s.session_id));
      assert.ok(denials.some((r) => r.resourceId === gone.session_id));
    });

    for (const [agent, server] of [
      ['gpt-test', () => openai],
      ['claude-test', () => anthropic],
      ['llama-test', () => ollama],
    ] as const) {
      it(`sends the session's conversation to ${agent} as alternating user and assistant messages`, async () => {
        const s = await newSession(ada.token);
        const seen = server().received.length;
        await run({ agent_type: 'echo', prompt: 'What is 2+2?' }, s.token);
        const first = await run({ agent_type: agent, prompt: 'And doubled?' }, s.token);
        assert.equal(first.result, REPLY);
        await run({ agent_type: agent, prompt: 'Thanks' }, s.token);
        const requests = server().received.slice(seen);
        assert.equal(requests.length, 2);
        assert.deepEqual(chat(requests[0]), [
          ['user', 'What is 2+2?'],
          ['assistant', 'What is 2+2?'],
          ['user', 'And doubled?'],
        ]);
        assert.deepEqual(chat(requests[1]), [
          ['user', 'What is 2+2?'],
          ['assistant', 'What is 2+2?'],
          ['user', 'And doubled?'],
          ['assistant', REPLY],
          ['user', 'Thanks'],
        ]);
        // Outside a session: the prompt alone.
        await run({ agent_type: agent, prompt: 'Alone' }, ada.token);
        assert.deepEqual(chat(server().received.at(-1)), [['user', 'Alone']]);
      });
    }
  });
}
