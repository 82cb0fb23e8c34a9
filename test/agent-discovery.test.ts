/**
 * Zero-config agents on every database: with no agents in the config file, the
 * server offers a command agent per coding CLI on PATH (fake `claude` and `codex`
 * executables in a temporary PATH dir), Ollama with its first model when it answers
 * on OLLAMA_HOST (a fake on a loopback port), `claude` and `gpt` for the keys in the
 * environment (as env: references only), and echo; nothing with SWITCHBOARD_DISCOVER=0
 * or when the config file defines agents. The OLLAMA_HOST forms are read like Ollama does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { recordSecret } from './helpers/log-capture.ts';
import { startFakeModelEndpoint, type FakeModelEndpoint } from './fixtures/fake-model-endpoint.ts';
import { ollamaBaseUrl } from '../src/agents/assembly/discover-agents.ts';

const ANTHROPIC_KEY = `sk-ant-discovery-${'a'.repeat(20)}`;
const OPENAI_KEY = `sk-openai-discovery-${'b'.repeat(20)}`;

interface WireAgent { agent_type: string; available: boolean; metadata: Record<string, unknown> }
interface WireDefinition { agent_type: string; kind: string; source: string; available: boolean; config: Record<string, unknown> | null }

/** A PATH dir holding executables with these names (they only print their name). */
function fakeBin(names: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-fake-bin-'));
  for (const name of names) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho ${name}\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

describe('ollamaBaseUrl', () => {
  it('reads OLLAMA_HOST as host, host:port or URL, with the default port and address', () => {
    assert.equal(ollamaBaseUrl(undefined), 'http://127.0.0.1:11434');
    assert.equal(ollamaBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(ollamaBaseUrl('gpu-box'), 'http://gpu-box:11434');
    assert.equal(ollamaBaseUrl('0.0.0.0'), 'http://127.0.0.1:11434');
    assert.equal(ollamaBaseUrl('https://ollama.example.com'), 'https://ollama.example.com');
    assert.equal(ollamaBaseUrl('http://10.0.0.5:8080/'), 'http://10.0.0.5:8080');
  });
});

for (const dialect of DIALECTS) {
  describe(`zero-config agent discovery on ${dialect}`, () => {
    let ollama: FakeModelEndpoint;
    let bin: string;
    const apps: TestApp[] = [];

    before(async () => {
      recordSecret(ANTHROPIC_KEY);
      recordSecret(OPENAI_KEY);
      ollama = await startFakeModelEndpoint(0, ['llama-test:1b', 'other:7b']);
      bin = fakeBin(['claude', 'codex']);
    });
    after(async () => {
      for (const a of apps) await a.close();
      await ollama.close();
    });

    const agentEnv = (): Record<string, string> => ({
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: tmpdir(),
      OLLAMA_HOST: `127.0.0.1:${ollama.port}`,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: ollama.url,
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${ollama.url}/v1`,
    });

    it('offers the CLIs on PATH, Ollama with its first model, claude and gpt for the keys, and echo', async () => {
      const t = await startTestApp(dialect, { env: { SWITCHBOARD_DISCOVER: '1' }, app: { agentEnv: agentEnv() } });
      apps.push(t);
      const res = await t.request('/api/runtime/agents');
      const text = await res.text();
      const agents = JSON.parse(text) as WireAgent[];
      const byId = new Map(agents.map((a) => [a.agent_type, a]));
      assert.deepEqual([...byId.keys()].sort(), ['claude', 'claude-code', 'codex', 'echo', 'gpt', 'ollama']);
      for (const a of agents) assert.equal(a.available, true, `${a.agent_type} is available`);
      assert.equal(byId.get('ollama')?.metadata['model'], 'llama-test:1b');
      assert.equal(byId.get('claude-code')?.metadata['preset'], 'claude-code');
      assert.ok(!text.includes(ANTHROPIC_KEY) && !text.includes(OPENAI_KEY));

      const claude = (await (await t.request('/api/runtime/agents/claude')).json()) as WireDefinition;
      assert.equal(claude.source, 'discovered');
      assert.equal(claude.kind, 'anthropic');
      assert.equal(claude.config?.['api_key'], 'env:ANTHROPIC_API_KEY');
      const gpt = (await (await t.request('/api/runtime/agents/gpt')).json()) as WireDefinition;
      assert.equal(gpt.config?.['base_url'], `${ollama.url}/v1`);
      assert.equal(gpt.config?.['api_key'], 'env:OPENAI_API_KEY');
      // The availability checks called the endpoints the keys belong to, with the keys.
      assert.ok(ollama.seen.some((r) => r.path === '/v1/models' && r.headers['x-api-key'] === ANTHROPIC_KEY));
      assert.ok(ollama.seen.some((r) => r.path === '/v1/models' && r.headers.authorization === `Bearer ${OPENAI_KEY}`));
    });

    it('lets a database definition override a discovered agent, and brings the discovered one back on delete', async () => {
      const t = apps[0];
      assert.ok(t);
      const put = await t.request('/api/runtime/agents/codex', { method: 'PUT', body: JSON.stringify({ kind: 'echo', name: 'Not codex' }) });
      assert.equal(put.status, 201);
      const overridden = (await put.json()) as WireDefinition;
      assert.equal(overridden.source, 'database');
      const del = await t.request('/api/runtime/agents/codex', { method: 'DELETE' });
      assert.equal(del.status, 200);
      const back = (await (await t.request('/api/runtime/agents/codex')).json()) as WireDefinition;
      assert.equal(back.source, 'discovered');
      assert.equal(back.kind, 'command');
      // A discovered agent has no database definition to delete.
      assert.equal((await t.request('/api/runtime/agents/codex', { method: 'DELETE' })).status, 409);
    });

    it('offers only echo with SWITCHBOARD_DISCOVER=0, and only the file agents when the file defines some', async () => {
      const off = await startTestApp(dialect, { env: { SWITCHBOARD_DISCOVER: '0' }, app: { agentEnv: agentEnv() } });
      apps.push(off);
      assert.deepEqual(((await (await off.request('/api/runtime/agents')).json()) as WireAgent[]).map((a) => a.agent_type), ['echo']);

      const dir = mkdtempSync(join(tmpdir(), 'sb-discovery-file-'));
      const file = join(dir, 'switchboard.config.yaml');
      writeFileSync(file, 'agents:\n  - id: mine\n    kind: echo\n');
      const withFile = await startTestApp(dialect, { env: { SWITCHBOARD_DISCOVER: '1', SWITCHBOARD_CONFIG: file }, app: { agentEnv: agentEnv() } });
      apps.push(withFile);
      const ids = ((await (await withFile.request('/api/runtime/agents')).json()) as WireAgent[]).map((a) => a.agent_type).sort();
      assert.deepEqual(ids, ['echo', 'mine']);
    });

    it('offers no ollama agent when nothing answers on OLLAMA_HOST, and no CLI agent without the binary', async () => {
      const env = { ...agentEnv(), OLLAMA_HOST: '127.0.0.1:9', PATH: '/usr/bin:/bin' };
      delete (env as Record<string, string | undefined>)['ANTHROPIC_API_KEY'];
      const t = await startTestApp(dialect, { env: { SWITCHBOARD_DISCOVER: '1' }, app: { agentEnv: env } });
      apps.push(t);
      const ids = ((await (await t.request('/api/runtime/agents')).json()) as WireAgent[]).map((a) => a.agent_type).sort();
      assert.deepEqual(ids, ['echo', 'gpt']);
    });
  });
}
