/**
 * LLM agents (OpenAI-compatible, Anthropic, Ollama) through the real engine on
 * SQLite, each against a local server speaking that provider's streaming wire format.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAiAgent } from '../src/agents/openai/openai-agent.ts';
import { createAnthropicAgent } from '../src/agents/anthropic/anthropic-agent.ts';
import { createOllamaAgent } from '../src/agents/ollama/ollama-agent.ts';
import type { LlmAgentOptions } from '../src/agents/llm/llm-agent-options.ts';
import type { AgentAdapter } from '../src/core/ports/agent-adapter.ts';
import { buildAgents } from '../src/agents/assembly/build-agents.ts';
import { adminCaller, startTestEngine, waitForTaskState, type TestEngine } from './helpers/test-engine.ts';
import { waitFor } from './helpers/wait.ts';
import { REPLY, SERVED_MODEL, USAGE, startFakeProvider, type Behaviour, type FakeProvider, type Wire } from './fixtures/fake-llm-server.ts';

const KEY = 'sk-canary-7f3a9c1e5d2b4a6f';
const PROMPT = 'Say something long';

interface Provider {
  readonly wire: Wire;
  readonly make: (o: LlmAgentOptions) => AgentAdapter;
  readonly baseUrl: (url: string) => string;
  readonly path: string;
  /** Where the key travels, or undefined when the provider takes none. */
  readonly auth: ((headers: Record<string, string | string[] | undefined>) => string | undefined) | undefined;
}

const PROVIDERS: readonly Provider[] = [
  { wire: 'openai', make: createOpenAiAgent, baseUrl: (u) => `${u}/v1`, path: '/v1/chat/completions', auth: (h) => String(h['authorization']) },
  // SDK 1.x sends the key as a Bearer token; older ones used x-api-key. Either carries it.
  { wire: 'anthropic', make: createAnthropicAgent, baseUrl: (u) => u, path: '/v1/messages', auth: (h) => String(h['x-api-key'] ?? h['authorization']) },
  { wire: 'ollama', make: createOllamaAgent, baseUrl: (u) => u, path: '/api/chat', auth: undefined },
];

const open: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

async function setUp(p: Provider, script: readonly Behaviour[], maxAttempts = 1): Promise<{ server: FakeProvider; t: TestEngine; agent: AgentAdapter }> {
  const server = await startFakeProvider(p.wire, script);
  open.push(server.close);
  const agent = p.make({
    id: `${p.wire}-test`,
    baseUrl: p.baseUrl(server.url),
    model: 'test-model',
    systemPrompt: 'Be brief.',
    retry: { maxAttempts, backoffMs: 1000 },
    pricing: { inputPerMillion: 3, outputPerMillion: 15 },
    ...(p.auth ? { apiKey: KEY, apiKeyRef: 'env:TEST_KEY' } : {}),
  });
  const t = await startTestEngine('sqlite', [agent]);
  open.push(t.close);
  return { server, t, agent };
}

async function run(t: TestEngine, agentType: string) {
  const { task } = await t.engine.submit(adminCaller, { agentType, prompt: PROMPT });
  const done = await waitForTaskState(t.store, task.id, ['completed', 'failed', 'cancelled']);
  const events = await t.store.tasks.listEvents(task.id, 0, 10_000);
  return { done, events };
}

for (const p of PROVIDERS) {
  describe(`${p.wire} agent`, () => {
    it('streams the reply into coalesced output events and completes with the text, model and usage', async () => {
      const { server, t, agent } = await setUp(p, [{ kind: 'ok' }]);
      const { done, events } = await run(t, agent.info.agentType);
      assert.equal(done.state, 'completed', done.error ?? '');
      assert.equal(done.result, REPLY);
      const outputs = events.filter((e) => e.type === 'output').map((e) => e.message ?? '');
      assert.ok(outputs.length >= 1 && outputs.length < 200 / 4, `expected a few coalesced events, got ${outputs.length}`);
      assert.equal(outputs.join(''), REPLY);
      assert.equal(done.metadata['model'], SERVED_MODEL);
      assert.deepEqual(done.metadata['usage'], { input_tokens: USAGE.input, output_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output });
      // Priced at $3 / $15 per million input / output tokens.
      assert.equal(done.metadata['cost_usd'], Number(((USAGE.input * 3 + USAGE.output * 15) / 1e6).toFixed(6)));

      assert.equal(server.received.length, 1);
      const req = server.received[0]!;
      assert.equal(req.url, p.path);
      assert.equal(req.body.model, 'test-model');
      assert.equal(req.body.stream, true);
      assert.ok(JSON.stringify(req.body).includes('Be brief.'), 'the system prompt is sent');
      assert.deepEqual(req.body.messages?.at(-1), { role: 'user', content: PROMPT });
      if (p.auth) {
        assert.ok(p.auth(req.headers)?.includes(KEY), 'the key travels in the auth header');
        assert.ok(!JSON.stringify(events).includes(KEY), 'no stored event contains the key');
        assert.ok(!JSON.stringify(done).includes(KEY), 'the task row does not contain the key');
        assert.ok(!JSON.stringify(agent.info).includes(KEY), 'the agent listing does not contain the key');
      }
    });

    it('retries after a 429 honouring Retry-After, then completes', async () => {
      const { server, t, agent } = await setUp(p, [{ kind: 'status', status: 429, retryAfter: '0' }], 2);
      const { done, events } = await run(t, agent.info.agentType);
      assert.equal(done.state, 'completed', done.error ?? '');
      assert.equal(done.result, REPLY);
      assert.equal(done.attempt, 2);
      assert.equal(server.received.length, 2);
      const retry = events.find((e) => e.data?.['retry_in_ms'] !== undefined);
      assert.equal(retry?.data?.['retry_in_ms'], 0, 'the Retry-After of 0 s is used instead of the backoff');
      assert.match(retry?.message ?? '', /429/);
    });

    it('treats a 500 as retryable', async () => {
      const { server, t, agent } = await setUp(p, [{ kind: 'status', status: 500, retryAfter: '0' }], 2);
      const { done, events } = await run(t, agent.info.agentType);
      assert.equal(done.state, 'completed', done.error ?? '');
      assert.equal(server.received.length, 2);
      assert.ok(events.some((e) => /HTTP 500/.test(e.message ?? '') && /retrying/.test(e.message ?? '')));
    });

    it('fails at once on a 400 without retrying, with the status in the error', async () => {
      const { server, t, agent } = await setUp(p, [{ kind: 'status', status: 400 }], 2);
      const { done } = await run(t, agent.info.agentType);
      assert.equal(done.state, 'failed');
      assert.match(done.error ?? '', /HTTP 400/);
      assert.equal(server.received.length, 1);
      assert.ok(!(done.error ?? '').includes(KEY));
    });

    it('fails clearly on a malformed stream chunk, without retrying', async () => {
      const { server, t, agent } = await setUp(p, [{ kind: 'malformed' }], 2);
      const { done } = await run(t, agent.info.agentType);
      assert.equal(done.state, 'failed');
      assert.match(done.error ?? '', /malformed/i);
      assert.equal(server.received.length, 1);
    });

    it('retries when the connection is cut mid-stream instead of hanging', async () => {
      const { server, t, agent } = await setUp(p, [{ kind: 'cut' }, { kind: 'cut' }], 2);
      const { done, events } = await run(t, agent.info.agentType);
      assert.equal(done.state, 'failed');
      assert.equal(server.received.length, 2, 'the cut attempt was retried');
      assert.match(done.error ?? '', /cut|ended before/i);
      assert.ok(events.some((e) => /retrying/.test(e.message ?? '')));
    });

    it('aborts the HTTP request when the task is cancelled during a slow stream', async () => {
      const { server, t, agent } = await setUp(p, [{ kind: 'slow' }]);
      const { task } = await t.engine.submit(adminCaller, { agentType: agent.info.agentType, prompt: PROMPT });
      await waitFor(async () => (await t.store.tasks.listEvents(task.id, 0, 100)).some((e) => e.type === 'output'), 'the first output');
      const cancelled = await t.engine.cancel(adminCaller, task.id);
      assert.equal(cancelled.state, 'cancelled');
      await waitFor(() => server.hungUp.includes(0), 'the server to see the connection close');
      assert.equal((await t.store.tasks.findTask(task.id))?.state, 'cancelled');
    });
  });
}

describe('LLM agent availability', () => {
  it('is unavailable, and fails without a network call, when the key variable is unset', async () => {
    const agent = createOpenAiAgent({ id: 'nokey', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyRef: 'env:UNSET_KEY' });
    assert.equal(await agent.isAvailable(), false);
    const t = await startTestEngine('sqlite', [agent]);
    open.push(t.close);
    const { done } = await run(t, 'nokey');
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', /UNSET_KEY is not set/);
  });

  it('resolves env: references when agents are built, keeping the secrets out of agent listings', async () => {
    const agents = buildAgents(
      [
        { id: 'gpt', kind: 'openai', base_url: 'https://api.openai.com/v1', model: 'm', api_key: 'env:K1' },
        { id: 'claude', kind: 'anthropic', base_url: 'https://api.anthropic.com', model: 'm', api_key: 'env:K2', max_tokens: 1024 },
        { id: 'goose', kind: 'http', api_url: 'http://127.0.0.1:7000', headers: { Authorization: 'Bearer env:K3' } },
        { id: 'llama', kind: 'ollama', base_url: 'http://127.0.0.1:11434', model: 'm' },
      ],
      { K1: 'sk-one-secret', K3: 'tok-three-secret' },
    );
    const available = await Promise.all(agents.map(async (a) => [a.info.agentType, await a.isAvailable()]));
    assert.deepEqual(available, [['echo', true], ['gpt', true], ['claude', false], ['goose', true], ['llama', true]], 'K2 is unset');
    const listing = JSON.stringify(agents.map((a) => a.info));
    assert.ok(!listing.includes('sk-one-secret') && !listing.includes('tok-three-secret'), listing);
  });

  it('is available without a key for a local OpenAI-compatible server, and for Ollama', async () => {
    assert.equal(await createOpenAiAgent({ id: 'local', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }).isAvailable(), true);
    assert.equal(await createOllamaAgent({ id: 'o', baseUrl: 'http://127.0.0.1:9', model: 'm' }).isAvailable(), true);
  });
});
