import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

/** A fresh temporary directory, removed by the returned cleanup. */
function tempDir(): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'switchboard-config-')));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `text` as a config file in a fresh directory and loads it. */
function withConfigFile<T>(text: string, fn: (file: string, dir: string) => T): T {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'switchboard.config.yaml');
    writeFileSync(file, text);
    return fn(file, dir);
  } finally {
    cleanup();
  }
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig from the environment', () => {
  it('uses the documented defaults when nothing is set', () => {
    const { dir, cleanup } = tempDir();
    const before = process.cwd();
    try {
      process.chdir(dir);
      const config = loadConfig({});
      const dataDir = resolve(dir, '.switchboard');
      assert.equal(config.port, 8000);
      assert.equal(config.host, '127.0.0.1');
      assert.equal(config.dataDir, dataDir);
      assert.deepEqual(config.database, { kind: 'sqlite', dataDir, synchronous: 'full' });
      assert.equal(config.adminToken, undefined);
      assert.match(config.nodeId, new RegExp(`^${hostname()}-[0-9a-f]{8}$`));
      assert.ok(!config.nodeId.includes(dataDir), 'the node id does not reveal the data dir');
      assert.equal(config.concurrency, 16);
      assert.equal(config.leaseMs, 30_000);
      assert.equal(config.renewMs, 10_000);
      assert.equal(config.pollMs, 1000);
      assert.equal(config.shutdownGraceMs, 10_000);
      assert.equal(config.bodyLimit, 1024 * 1024);
      assert.equal(config.sseHeartbeatMs, 15_000);
      assert.equal(config.logLevel, 'info');
      assert.deepEqual(config.agents, []);
      assert.deepEqual(config.skillsDirs, []);
      assert.equal(config.configFile, undefined);
    } finally {
      process.chdir(before);
      cleanup();
    }
  });

  it('resolves a relative data dir to an absolute path', () => {
    const config = loadConfig({ SWITCHBOARD_DATA_DIR: 'some/where' });
    assert.equal(config.dataDir, resolve('some/where'));
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ SWITCHBOARD_DATA_DIR: join(tmpdir(), 'switchboard-none') });
    assert.ok(Object.isFrozen(config));
  });

  it('reads PORT, HOST and the other variables', () => {
    const config = loadConfig({
      PORT: '9123',
      HOST: '0.0.0.0',
      SWITCHBOARD_DATA_DIR: join(tmpdir(), 'switchboard-none'),
      SWITCHBOARD_ADMIN_TOKEN: 'sb_secret',
      SWITCHBOARD_NODE_ID: 'node-a',
      SWITCHBOARD_LEASE_MS: '9000',
      SWITCHBOARD_LOG_LEVEL: 'debug',
    });
    assert.equal(config.port, 9123);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.adminToken, 'sb_secret');
    assert.equal(config.nodeId, 'node-a');
    assert.equal(config.leaseMs, 9000);
    assert.equal(config.renewMs, 3000);
    assert.equal(config.logLevel, 'debug');
  });

  it('lets overrides win over PORT and HOST', () => {
    const config = loadConfig({ PORT: '9123', SWITCHBOARD_DATA_DIR: join(tmpdir(), 'switchboard-none') }, { port: '0', host: '::1' });
    assert.equal(config.port, 0);
    assert.equal(config.host, '::1');
  });

  it('switches to PostgreSQL when DATABASE_URL is set', () => {
    const url = 'postgres://user:pw@db.example:5432/switchboard';
    const config = loadConfig({ DATABASE_URL: url, SWITCHBOARD_DATA_DIR: join(tmpdir(), 'switchboard-none') });
    assert.deepEqual(config.database, { kind: 'postgres', url });
  });

  it('accepts postgresql:// URLs and a schema', () => {
    const url = 'postgresql://localhost/db';
    const config = loadConfig({ DATABASE_URL: url, SWITCHBOARD_DB_SCHEMA: 'tenant_1', SWITCHBOARD_DATA_DIR: join(tmpdir(), 'switchboard-none') });
    assert.deepEqual(config.database, { kind: 'postgres', url, schema: 'tenant_1' });
  });

  it('refuses a DATABASE_URL that is not PostgreSQL, naming the variable', () => {
    const err = configErrorOf(() => loadConfig({ DATABASE_URL: 'mysql://localhost/db' }));
    assert.match(err.message, /DATABASE_URL/);
  });

  for (const port of ['abc', '70000', '-1', '1.5']) {
    it(`refuses PORT=${port} with a ConfigError naming PORT`, () => {
      const err = configErrorOf(() => loadConfig({ PORT: port }));
      assert.match(err.message, /\bPORT\b/);
      assert.equal(err.name, 'ConfigError');
    });
  }

  it('refuses a non-numeric or out-of-range --port override, naming PORT', () => {
    for (const port of ['abc', '99999', '0x1F40', '1e3']) {
      const err = configErrorOf(() => loadConfig({ SWITCHBOARD_DATA_DIR: join(tmpdir(), 'switchboard-none') }, { port }));
      assert.match(err.message, /PORT/);
    }
  });

  it('refuses an unknown log level, naming the variable', () => {
    const err = configErrorOf(() => loadConfig({ SWITCHBOARD_LOG_LEVEL: 'loud' }));
    assert.match(err.message, /SWITCHBOARD_LOG_LEVEL/);
  });

  it(
    'does not turn an empty PORT into port 0 (a random port)',
    () => {
      let port: number | undefined;
      try {
        port = loadConfig({ PORT: '', SWITCHBOARD_DATA_DIR: join(tmpdir(), 'switchboard-none') }).port;
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return;
      }
      assert.equal(port, 8000);
    },
  );

  it('refuses an explicit config file that does not exist, naming it', () => {
    const missing = join(tmpdir(), 'switchboard-missing', 'nope.yaml');
    const err = configErrorOf(() => loadConfig({ SWITCHBOARD_CONFIG: missing }));
    assert.ok(err.message.includes(missing), err.message);
  });
});

describe('loadConfig from a YAML file', () => {
  const VALID = [
    'agents:',
    '  - id: echo',
    '    kind: echo',
    '  - id: coder',
    '    kind: command',
    '    name: Coder',
    '    command: [node, -e, "process.stdin.pipe(process.stdout)"]',
    '    env_allow: [HOME, PATH]',
    'skills_dirs:',
    '  - ./skills',
    '',
  ].join('\n');

  it('loads agents of kind echo and command, with defaults filled in', () => {
    withConfigFile(VALID, (file, dir) => {
      const config = loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file });
      assert.equal(config.configFile, file);
      assert.deepEqual(config.agents, [
        { id: 'echo', kind: 'echo' },
        {
          id: 'coder',
          kind: 'command',
          name: 'Coder',
          command: ['node', '-e', 'process.stdin.pipe(process.stdout)'],
          env_allow: ['HOME', 'PATH'],
        },
      ]);
      assert.deepEqual(config.skillsDirs, [join(dir, 'skills')]);
    });
  });

  it('accepts a preset without command, with repo, timeout and output cap', () => {
    const text = 'agents:\n  - id: coder\n    kind: command\n    preset: claude-code\n    repo: /srv/repo\n    timeout_ms: 60000\n    max_output_bytes: 4096\n';
    withConfigFile(text, (file, dir) => {
      const config = loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file });
      assert.deepEqual(config.agents, [
        { id: 'coder', kind: 'command', preset: 'claude-code', repo: '/srv/repo', timeout_ms: 60000, max_output_bytes: 4096 },
      ]);
    });
  });

  it('takes the file from the configFile override', () => {
    withConfigFile(VALID, (file, dir) => {
      const config = loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data') }, { configFile: file });
      assert.equal(config.agents.length, 2);
    });
  });

  it('finds switchboard.config.yaml in the data dir by itself', () => {
    withConfigFile(VALID, (file, dir) => {
      const config = loadConfig({ SWITCHBOARD_DATA_DIR: dir });
      assert.equal(config.configFile, file);
      assert.equal(config.agents.length, 2);
    });
  });

  it('treats an empty file as no agents', () => {
    withConfigFile('', (file, dir) => {
      const config = loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file });
      assert.deepEqual(config.agents, []);
    });
  });

  const invalid: readonly [string, string, number, string][] = [
    [
      'a command agent without command',
      'agents:\n  - id: echo\n    kind: echo\n  - id: coder\n    kind: command\n    name: Coder\n',
      4,
      'agents.1.command',
    ],
    ['a generic preset without command', 'agents:\n  - id: a\n    kind: command\n    preset: generic\n', 2, 'agents.0.command'],
    ['an unknown preset', 'agents:\n  - id: a\n    kind: command\n    preset: copilot\n', 4, 'agents.0.preset'],
    ['a repo that looks like an option', 'agents:\n  - id: a\n    kind: command\n    preset: codex\n    repo: --upload-pack=x\n', 5, 'agents.0.repo'],
    ['a timeout_ms of 0', 'agents:\n  - id: a\n    kind: command\n    preset: codex\n    timeout_ms: 0\n', 5, 'agents.0.timeout_ms'],
    ['an unknown kind', 'agents:\n  - id: echo\n    kind: echo\n  - id: x\n    kind: telepathy\n', 5, 'agents.1.kind'],
    ['an id with capitals and spaces', 'agents:\n  - id: Bad Id\n    kind: echo\n', 2, 'agents.0.id'],
    ['max_attempts below 1', 'agents:\n  - id: a\n    kind: echo\n    max_attempts: 0\n', 4, 'agents.0.max_attempts'],
    ['an empty command list', 'agents:\n  - id: a\n    kind: command\n    command: []\n', 4, 'agents.0.command'],
    ['a bad prompt_via', 'agents:\n  - id: a\n    kind: command\n    command: [x]\n    prompt_via: pipe\n', 5, 'agents.0.prompt_via'],
    ['an unknown top-level key', 'agents: []\nagentz: []\n', 1, '(root)'],
    ['a literal api_key (not env:NAME)', 'agents:\n  - id: g\n    kind: openai\n    model: m\n    api_key: sk-live-0123456789\n', 5, 'agents.0.api_key'],
    ['an anthropic agent without api_key', 'agents:\n  - id: c\n    kind: anthropic\n    model: m\n', 2, 'agents.0.api_key'],
    ['openai on api.openai.com without api_key', 'agents:\n  - id: g\n    kind: openai\n    model: m\n', 2, 'agents.0.api_key'],
    ['a literal credential header', 'agents:\n  - id: h\n    kind: http\n    api_url: http://x\n    headers: {Authorization: Bearer sk-live-0123456789}\n', 5, 'agents.0.headers.Authorization'],
    ['a base_url that is not an http URL', 'agents:\n  - id: o\n    kind: ollama\n    model: m\n    base_url: not a url\n', 5, 'agents.0.base_url'],
  ];
  for (const [label, text, line, path] of invalid) {
    it(`refuses ${label}, naming the file, line ${line} and ${path}`, () => {
      withConfigFile(text, (file, dir) => {
        const err = configErrorOf(() => loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file }));
        assert.ok(err.message.includes(`${file}:${line} ${path}`), err.message);
        assert.ok(!err.message.includes('sk-live'), 'a refused secret is not echoed');
      });
    });
  }

  it('loads openai, anthropic, ollama and http agents with their defaults', () => {
    const text = 'agents:\n  - {id: a, kind: anthropic, model: m, api_key: "env:K"}\n  - {id: o, kind: ollama, model: m}\n'
      + '  - {id: g, kind: openai, model: m, api_key: "env:K"}\n  - {id: h, kind: http, api_url: "http://x", headers: {Authorization: "Bearer env:T"}}\n';
    withConfigFile(text, (file, dir) => {
      const [a, o, g, h] = loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file }).agents;
      assert.deepEqual(a, { id: 'a', kind: 'anthropic', model: 'm', api_key: 'env:K', base_url: 'https://api.anthropic.com', max_tokens: 1024 });
      assert.deepEqual([o?.kind === 'ollama' && o.base_url, g?.kind === 'openai' && g.base_url], ['http://127.0.0.1:11434', 'https://api.openai.com/v1']);
      assert.deepEqual(h, { id: 'h', kind: 'http', api_url: 'http://x', headers: { Authorization: 'Bearer env:T' } });
    });
  });

  it('reads model pricing, and refuses a negative or unknown price field by name', () => {
    const good = 'agents:\n  - {id: g, kind: openai, model: m, api_key: "env:K", pricing: {input_per_million: 0.15, output_per_million: 0.6}}\n';
    withConfigFile(good, (file, dir) => {
      const [g] = loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file }).agents;
      assert.deepEqual(g?.kind === 'openai' ? g.pricing : undefined, { input_per_million: 0.15, output_per_million: 0.6 });
    });
    const bad = 'agents:\n  - id: g\n    kind: openai\n    model: m\n    api_key: "env:K"\n    pricing: {input_per_million: -1, output_per_million: 1, per_call: 2}\n';
    withConfigFile(bad, (file, dir) => {
      const err = configErrorOf(() => loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file }));
      assert.ok(err.message.includes('agents.0.pricing'), err.message);
    });
  });

  it('names every invalid field, not only the first', () => {
    const text = 'agents:\n  - id: Bad Id\n    kind: echo\n  - id: x\n    kind: telepathy\n';
    withConfigFile(text, (file, dir) => {
      const err = configErrorOf(() => loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file }));
      assert.ok(err.message.includes(`${file}:2 agents.0.id`), err.message);
      assert.ok(err.message.includes(`${file}:5 agents.1.kind`), err.message);
    });
  });

  const malformed: readonly [string, string, number][] = [
    ['a mis-indented key', 'agents:\n  - id: a\n    kind: echo\n   name: oops\n', 4],
    ['an unclosed flow map', 'agents: [\n  {id: a, kind: echo\n', 3],
    ['a tab indentation', 'agents:\n\t- id: a\n', 2],
  ];
  for (const [label, text, line] of malformed) {
    it(`refuses malformed YAML (${label}), naming the file and line ${line}`, () => {
      withConfigFile(text, (file, dir) => {
        const err = configErrorOf(() => loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file }));
        assert.ok(err.message.startsWith(`${file}:${line}:`), err.message);
      });
    });
  }

  it('refuses a file whose root is not a mapping', () => {
    withConfigFile('- 1\n- 2\n', (file, dir) => {
      const err = configErrorOf(() => loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file }));
      assert.ok(err.message.includes(`${file}:1 (root)`), err.message);
    });
  });

  it('loads skills dirs relative to the file, not to the working directory', () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'conf'));
      const file = join(dir, 'conf', 'sb.yaml');
      writeFileSync(file, 'skills_dirs: [../shared-skills, /abs/skills]\n');
      const config = loadConfig({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_CONFIG: file });
      assert.deepEqual(config.skillsDirs, [join(dir, 'shared-skills'), '/abs/skills']);
    } finally {
      cleanup();
    }
  });
});
