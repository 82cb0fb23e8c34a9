/**
 * Command agent presets end to end: a fake `claude` on PATH streams Claude-Code
 * stream-json and edits a file in a per-task git worktree; timeouts kill the
 * group; hostile values stay literal; the environment is an allow-list.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentConfigSchema } from '../src/config/schema.ts';
import { buildAgents } from '../src/agents/assembly/build-agents.ts';
import { removeTaskWorktree } from '../src/integrations/github/worktree.ts';
import { createCodexParser } from '../src/agents/command/stream-parsers/codex.ts';
import { findOnPath } from '../src/agents/command/presets.ts';
import type { AgentAdapter, AgentEmission } from '../src/core/ports/agent-adapter.ts';
import type { TaskEvent } from '../src/core/domain/event.ts';
import { adminCaller, startTestEngine, waitForTaskState, type TestEngine } from './helpers/test-engine.ts';
import { waitFor } from './helpers/wait.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-C', cwd, ...args], { env: GIT_ENV, encoding: 'utf8' });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function agentsFrom(configs: readonly unknown[], dataDir: string): AgentAdapter[] {
  return buildAgents(configs.map((c) => agentConfigSchema.parse(c)), process.env, { dataDir });
}

async function run(t: TestEngine, agentType: string, prompt: string) {
  const { task } = await t.engine.submit(adminCaller, { agentType, prompt });
  const done = await waitForTaskState(t.store, task.id, ['completed', 'failed', 'cancelled']);
  const events = await t.store.tasks.listEvents(task.id, 0, 1000);
  return { task: done, events };
}

const outputs = (events: readonly TaskEvent[]): string => events.filter((e) => e.type === 'output').map((e) => e.message).join('\n');

describe('command agent presets', () => {
  let dir: string;
  let repo: string;
  let dataDir: string;
  let oldPath: string | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-presets-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    copyFileSync(fixture('fake-claude.mjs'), join(bin, 'claude'));
    copyFileSync(fixture('print-argv.mjs'), join(bin, 'aider'));
    execFileSync('chmod', ['+x', join(bin, 'claude'), join(bin, 'aider')]);
    oldPath = process.env['PATH'];
    process.env['PATH'] = `${bin}${delimiter}${oldPath ?? ''}`;
    repo = join(dir, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    writeFileSync(join(repo, 'hello.txt'), 'hello\n');
    git(repo, 'add', 'hello.txt');
    git(repo, 'commit', '-qm', 'initial');
    dataDir = join(dir, 'data');
  });
  after(() => {
    process.env['PATH'] = oldPath;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs claude-code in a fresh worktree on task/<id>, parsing its stream into events, result and usage', async () => {
    const agents = agentsFrom([{ id: 'claude', kind: 'command', preset: 'claude-code', repo }], dataDir);
    assert.equal(await agents.find((a) => a.info.agentType === 'claude')?.isAvailable(), true);
    const t = await startTestEngine('sqlite', agents);
    process.env['GIT_DIR'] = join(dir, 'not-a-repo'); // the server's GIT_* variables must not reach git
    try {
      const { task, events } = await run(t, 'claude', 'Please edit hello.txt');
      delete process.env['GIT_DIR'];
      assert.equal(task.state, 'completed', task.error ?? '');
      assert.equal(task.result, 'Edited hello.txt as asked.');
      const wt = join(dataDir, 'worktrees', task.id);
      const branch = `task/${task.id.slice(-8)}`;
      assert.deepEqual({ worktree: task.metadata['worktree'], branch: task.metadata['branch'] }, { worktree: wt, branch });
      assert.equal(git(wt, 'rev-parse', '--abbrev-ref', 'HEAD').trim(), branch);
      assert.equal(readFileSync(join(wt, 'hello.txt'), 'utf8'), 'hello from claude\n');
      assert.equal(readFileSync(join(repo, 'hello.txt'), 'utf8'), 'hello\n', 'the main checkout is untouched');
      assert.deepEqual(task.metadata['usage'], { input_tokens: 120, output_tokens: 34, cache_read_input_tokens: 7, total_tokens: 154 });
      assert.equal(task.metadata['cost_usd'], 0.0123);
      assert.equal(task.metadata['session_id'], 'sess-1');
      assert.deepEqual(task.metadata['files_edited'], [join(wt, 'hello.txt')]);
      const text = outputs(events);
      for (const part of ['Looking at the repository.', 'Editing hello.txt now.', 'Done.']) assert.ok(text.includes(part), text);
      assert.ok(!text.includes('"type"'), 'no raw JSON in the output');
      const tool = events.find((e) => e.type === 'log' && e.data?.['tool'] === 'Edit');
      assert.ok(tool, 'a log event for the tool use');
      assert.equal(tool.data?.['input'], join(wt, 'hello.txt'));
      const wtLog = events.find((e) => e.type === 'log' && e.data?.['branch'] === branch);
      assert.ok(wtLog, 'a log event naming the worktree');
      // Text before the tool use comes before its log event.
      const order = events.filter((e) => e.type === 'output' || e.data?.['tool'] === 'Edit').map((e) => e.type);
      assert.equal(order.indexOf('log') > 0, true, order.join(','));

      await removeTaskWorktree(repo, { path: wt, branch }, { deleteBranch: true });
      assert.equal(existsSync(wt), false);
      assert.equal(git(repo, 'branch', '--list', branch).trim(), '');
    } finally {
      delete process.env['GIT_DIR'];
      await t.close();
    }
  });

  it('turns malformed JSON lines into plain output', async () => {
    const t = await startTestEngine('sqlite', agentsFrom([{ id: 'claude', kind: 'command', preset: 'claude-code', cwd: dir }], dataDir));
    try {
      const { task, events } = await run(t, 'claude', 'malformed please');
      assert.equal(task.state, 'completed', task.error ?? '');
      const lines = events.filter((e) => e.type === 'output').map((e) => e.message);
      assert.ok(lines.includes('{"type": "assistant", "message": {broken'), JSON.stringify(lines));
      assert.ok(lines.includes('plain progress line'), JSON.stringify(lines));
    } finally {
      await t.close();
    }
  });

  it('passes only allow-listed variables (defaults plus the preset names) to the program', async () => {
    process.env['SB_CANARY_SECRET'] = 'canary-7f3a9c';
    process.env['ANTHROPIC_API_KEY'] = 'test-key-allowed';
    const t = await startTestEngine('sqlite', agentsFrom([{ id: 'claude', kind: 'command', preset: 'claude-code', cwd: dir }], dataDir));
    try {
      const { task } = await run(t, 'claude', 'env');
      assert.equal(task.state, 'completed', task.error ?? '');
      const seen = JSON.parse(String(task.result)) as Record<string, string>;
      assert.equal(seen['SB_CANARY_SECRET'], undefined);
      assert.ok(!String(task.result).includes('canary-7f3a9c'));
      assert.equal(seen['ANTHROPIC_API_KEY'], 'test-key-allowed');
      assert.deepEqual(Object.keys(seen).filter((k) => !['PATH', 'HOME', 'LANG', 'TMPDIR', 'ANTHROPIC_API_KEY'].includes(k)), []);
    } finally {
      delete process.env['SB_CANARY_SECRET'];
      delete process.env['ANTHROPIC_API_KEY'];
      await t.close();
    }
  });

  it('hands hostile prompts and values to the program as literal arguments, through no shell', async () => {
    const marker = join(dir, 'pwned');
    const hostile = `$(touch ${marker}); \`touch ${marker}\` --upload-pack=evil`;
    const agents = agentsFrom(
      [
        { id: 'aider', kind: 'command', preset: 'aider' },
        { id: 'argv', kind: 'command', command: [process.execPath, fixture('print-argv.mjs'), `$(touch ${marker})`, '--upload-pack=evil'], prompt_via: 'arg' },
      ],
      dataDir,
    );
    const t = await startTestEngine('sqlite', agents);
    try {
      const a = await run(t, 'aider', hostile);
      assert.equal(a.task.state, 'completed', a.task.error ?? '');
      assert.deepEqual(JSON.parse(String(a.task.result)), ['--yes-always', '--no-pretty', '--no-stream', `--message=${hostile}`]);
      const b = await run(t, 'argv', '--upload-pack=evil');
      assert.deepEqual(JSON.parse(String(b.task.result)), [`$(touch ${marker})`, '--upload-pack=evil', '--upload-pack=evil']);
      assert.equal(existsSync(marker), false);
    } finally {
      await t.close();
    }
  });

  it('kills the whole process group on timeout and fails "timed out"', async () => {
    const agents = agentsFrom(
      [{ id: 'slow', kind: 'command', command: [process.execPath, fixture('stubborn-agent.mjs')], timeout_ms: 1500, kill_grace_ms: 200 }],
      dataDir,
    );
    const t = await startTestEngine('sqlite', agents);
    try {
      const { task } = await t.engine.submit(adminCaller, { agentType: 'slow', prompt: 'x' });
      const pids = await waitFor(async () => {
        const first = (await t.store.tasks.listEvents(task.id, 0, 100)).find((e) => e.type === 'output');
        return first?.message ? (JSON.parse(first.message) as { pid: number; grandchild: number }) : undefined;
      }, 'the agent to report its pids');
      const done = await waitForTaskState(t.store, task.id, ['completed', 'failed', 'cancelled']);
      assert.equal(done.state, 'failed');
      assert.match(done.error ?? '', /timed out after 1500 ms/);
      await waitFor(() => !isAlive(pids.pid) && !isAlive(pids.grandchild), 'the process group to be gone');
    } finally {
      await t.close();
    }
  });

  it('caps output events and the result', async () => {
    const script = 'for (let i = 0; i < 2000; i++) console.log("line " + i + " " + "x".repeat(50))';
    const agents = agentsFrom([{ id: 'flood', kind: 'command', command: [process.execPath, '-e', script], max_output_bytes: 4096 }], dataDir);
    const t = await startTestEngine('sqlite', agents);
    try {
      const { task, events } = await run(t, 'flood', 'x');
      assert.equal(task.state, 'completed', task.error ?? '');
      assert.ok(String(task.result).length <= 4096);
      assert.ok(outputs(events).length <= 4096 + 100);
      assert.equal(task.metadata['output_truncated'], true);
      assert.ok(events.some((e) => e.type === 'log' && /output truncated/.test(e.message ?? '')));
    } finally {
      await t.close();
    }
  });

  it('reports presets whose binary is missing as unavailable (PATH lookup, no shell)', async () => {
    const codex = agentsFrom([{ id: 'codex', kind: 'command', preset: 'codex' }], dataDir).find((a) => a.info.agentType === 'codex');
    assert.equal(codex?.info.metadata['preset'], 'codex');
    assert.equal(await codex?.isAvailable(), await findOnPath('codex'));
    assert.equal(await findOnPath('claude'), true);
    assert.equal(await findOnPath('definitely-not-a-binary-3f9'), false);
  });
});

describe('codex exec --json parser', () => {
  it('reads messages, commands, file changes and usage, and keeps unknown lines as output', () => {
    const seen: AgentEmission[] = [];
    const p = createCodexParser((e) => seen.push(e));
    for (const obj of [
      { type: 'thread.started', thread_id: 'th-1' },
      { type: 'turn.started' },
      { type: 'item.completed', item: { id: 'i0', type: 'reasoning', text: 'thinking' } },
      { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: 'ls -la', exit_code: 0 } },
      { type: 'item.completed', item: { id: 'i2', type: 'file_change', changes: [{ path: 'src/a.ts', kind: 'update' }] } },
      { type: 'item.completed', item: { id: 'i3', type: 'agent_message', text: 'All set.' } },
      { type: 'turn.completed', usage: { input_tokens: 10, cached_input_tokens: 2, output_tokens: 5 } },
    ])
      p.line(JSON.stringify(obj));
    p.line('not json at all');
    p.line('{"type": "item.completed", "item": ');
    const out = p.finish();
    assert.equal(out.result, 'All set.');
    assert.deepEqual(out.metadata, {
      session_id: 'th-1',
      usage: { input_tokens: 10, output_tokens: 5, cached_input_tokens: 2, total_tokens: 15 },
      files_edited: ['src/a.ts'],
    });
    assert.deepEqual(
      seen.map((e) => [e.type, e.message]),
      [
        ['log', 'tool shell: ls -la'],
        ['log', 'tool file_change: src/a.ts'],
        ['output', 'All set.'],
        ['output', 'not json at all'],
        ['output', '{"type": "item.completed", "item": '],
      ],
    );
  });

  it('reports turn.failed as an error', () => {
    const p = createCodexParser(() => undefined);
    p.line(JSON.stringify({ type: 'turn.failed', error: { message: 'quota exceeded' } }));
    assert.match(p.finish().error ?? '', /quota exceeded/);
  });
});
