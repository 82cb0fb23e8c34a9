/**
 * The fields every agent kind shares (name, description, capabilities, retry,
 * concurrency, timeout, skills): validated with errors naming the file, line and
 * field, and applied to the built adapter.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { agentConfigSchema } from '../../src/config/schema.ts';
import { buildAgent } from '../../src/agents/assembly/build-agents.ts';
import { validateAgentConfig } from '../../src/agents/assembly/agent-runtime.ts';

function load(text: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-agent-config-'));
  try {
    const file = join(dir, 'switchboard.config.yaml');
    writeFileSync(file, text);
    return loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function errorOf(text: string): string {
  try {
    load(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail('expected a ConfigError');
}

const COMMON = [
  '    name: Helper',
  '    description: Answers questions',
  '    capabilities: [analysis, code_generation]',
  '    retry: {max_attempts: 3, backoff_ms: 250}',
  '    concurrency: 2',
  '    timeout_ms: 60000',
];

describe('common agent fields in switchboard.config.yaml', () => {
  it('accepts them on every kind, with skills as a list or "*"', () => {
    const config = load(
      [
        'agents:',
        '  - id: e', '    kind: echo', ...COMMON, '    skills: "*"',
        '  - id: c', '    kind: command', '    preset: codex', ...COMMON, '    skills: [notes, search]',
        '  - id: o', '    kind: openai', '    model: m', '    base_url: http://127.0.0.1:1/v1', ...COMMON,
        '  - id: a', '    kind: anthropic', '    model: m', '    api_key: env:ANTHROPIC_API_KEY', ...COMMON,
        '  - id: l', '    kind: ollama', '    model: m', ...COMMON,
        '  - id: h', '    kind: http', '    api_url: http://127.0.0.1:1', ...COMMON,
        '',
      ].join('\n'),
    );
    assert.deepEqual(config.agents.map((a) => a.kind), ['echo', 'command', 'openai', 'anthropic', 'ollama', 'http']);
    for (const a of config.agents) {
      assert.equal(a.concurrency, 2);
      assert.deepEqual(a.retry, { max_attempts: 3, backoff_ms: 250 });
      assert.deepEqual(a.capabilities, ['analysis', 'code_generation']);
    }
    assert.equal(config.agents[0]?.skills, '*');
    assert.deepEqual(config.agents[1]?.skills, ['notes', 'search']);
  });

  const invalid: readonly [string, string, number, string, RegExp][] = [
    ['a concurrency of 0', 'agents:\n  - id: a\n    kind: echo\n    concurrency: 0\n', 4, 'agents.0.concurrency', /whole number|at least 1|too small/i],
    ['skills as a word', 'agents:\n  - id: a\n    kind: echo\n    skills: all\n', 4, 'agents.0.skills', /./],
    ['a negative backoff', 'agents:\n  - id: a\n    kind: echo\n    retry: {backoff_ms: -5}\n', 4, 'agents.0.retry.backoff_ms', /./],
    ['an unknown field', 'agents:\n  - id: a\n    kind: echo\n    colour: blue\n', 2, 'agents.0', /colour/],
    ['a capability with spaces', 'agents:\n  - id: a\n    kind: echo\n    capabilities: [code gen]\n', 4, 'agents.0.capabilities.0', /lowercase/],
  ];
  for (const [label, text, line, path, why] of invalid) {
    it(`refuses ${label}, naming line ${line} and ${path}`, () => {
      const message = errorOf(text);
      assert.ok(message.includes(`:${line} ${path}:`), message);
      assert.match(message, why);
    });
  }
});

describe('validateAgentConfig (the API uses the file schema)', () => {
  it('returns the parsed config with defaults, or the issues with their paths', () => {
    const ok = validateAgentConfig({ id: 'x', kind: 'ollama', model: 'm' });
    assert.ok(ok.ok);
    assert.equal(ok.kind, 'ollama');
    assert.equal(ok.config['base_url'], 'http://127.0.0.1:11434');
    const bad = validateAgentConfig({ id: 'x', kind: 'anthropic', model: 'm', api_key: 'sk-literal', concurrency: 'many' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.issues.map((i) => i.path).sort(), ['api_key', 'concurrency']);
  });
});

describe('buildAgent applies the common fields', () => {
  it('sets name, description, capabilities, retry and skills; the registry gets concurrency and (LLM kinds) the time limit', () => {
    const llm = buildAgent(
      agentConfigSchema.parse({
        id: 'helper', kind: 'openai', model: 'm', base_url: 'http://127.0.0.1:1/v1', name: 'Helper', description: 'Answers',
        capabilities: ['analysis'], retry: { max_attempts: 4, backoff_ms: 250 }, concurrency: 2, timeout_ms: 5000, skills: '*',
      }),
      {},
    );
    assert.equal(llm.adapter.info.name, 'Helper');
    assert.equal(llm.adapter.info.description, 'Answers');
    assert.deepEqual(llm.adapter.info.capabilities, ['analysis']);
    assert.deepEqual(llm.adapter.retry, { maxAttempts: 4, backoffMs: 250 });
    assert.deepEqual(llm.adapter.allowedSkills, ['*']);
    assert.equal(llm.concurrency, 2);
    assert.equal(llm.timeoutMs, 5000);

    // command and http enforce their own time limit; max_attempts at the top level still works.
    const cmd = buildAgent(agentConfigSchema.parse({ id: 'c', kind: 'command', command: ['true'], timeout_ms: 5000, max_attempts: 2, skills: ['notes'] }), {});
    assert.equal(cmd.timeoutMs, undefined);
    assert.equal(cmd.adapter.retry.maxAttempts, 2);
    assert.deepEqual(cmd.adapter.allowedSkills, ['notes']);
    const echo = buildAgent(agentConfigSchema.parse({ id: 'e', kind: 'echo' }), {});
    assert.equal(echo.adapter.allowedSkills, undefined);
    assert.equal(echo.adapter.retry.maxAttempts, 3);
  });
});
