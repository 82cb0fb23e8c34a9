/**
 * The portal's backend over real HTTP on every database: projects (fields, keys, GitHub
 * URLs, repo paths), board tasks (gap-free keys under concurrency, columns and
 * positions, history), executions on a real agent run (the card follows them unless a
 * person moved it), the project change stream, and the Phase 1 agent paths.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError } from '../src/core/domain/errors.ts';
import type { AgentAdapter } from '../src/core/ports/agent-adapter.ts';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { waitFor } from './helpers/wait.ts';

interface WireProject {
  id: number;
  key: string;
  name: string;
  status: string;
  github_repo_owner: string | null;
  github_repo_name: string | null;
  repo_path: string | null;
  default_branch: string | null;
}
interface WireBoardTask {
  id: number;
  key: string;
  project_id: number;
  title: string;
  status: string;
  position: number;
  agent_execution_status: string | null;
}
interface WireExecution {
  id: number;
  task_id: number;
  execution_uuid: string;
  agent_type: string;
  status: string;
  execution_state: string | null;
  response: string | null;
  error_message: string | null;
}
interface WireActivity {
  id: number;
  kind: string;
  task_key: string | null;
  actor_id: string | null;
  details: Record<string, unknown>;
}

/** Driven by its prompt: `ask:` waits for an answer, `fail:` fails, anything else completes with the prompt. */
const gated: AgentAdapter = {
  info: { agentType: 'gated', name: 'Gated', description: 'test agent', capabilities: [], metadata: { kind: 'test' } },
  retry: { maxAttempts: 1, backoffMs: 0 },
  isAvailable: async () => true,
  async run(ctx) {
    if (ctx.prompt.startsWith('ask:')) return { result: await ctx.ask(ctx.prompt.slice(4)) };
    if (ctx.prompt.startsWith('fail:')) throw new AgentError(ctx.prompt.slice(5));
    return { result: { prompt: ctx.prompt, task: ctx.context['task'] ?? null, project: ctx.context['project'] ?? null } };
  },
};

for (const dialect of DIALECTS) {
  describe(`board API on ${dialect}`, () => {
    let t: TestApp;
    let work: string;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'sb-board-'));
      t = await startTestApp(dialect, { extraAgents: [gated] });
    });
    after(async () => {
      await t.close();
      rmSync(work, { recursive: true, force: true });
    });

    const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: T }> => {
      const res = await t.request(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(token !== undefined ? { token } : {}) });
      return { status: res.status, json: (await res.json()) as T };
    };
    const codeOf = (r: { json: unknown }): string => (r.json as { error?: { code?: string } }).error?.code ?? '';
    const project = async (key: string, extra: Record<string, unknown> = {}): Promise<WireProject> => {
      const r = await call<WireProject>('POST', '/api/projects', { name: `Project ${key}`, key, ...extra });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json;
    };
    const task = async (projectKey: string, title: string, extra: Record<string, unknown> = {}): Promise<WireBoardTask> => {
      const r = await call<WireBoardTask>('POST', '/api/tasks', { project_id: projectKey, title, ...extra });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json;
    };
    const getTask = async (ref: string | number): Promise<WireBoardTask> => (await call<WireBoardTask>('GET', `/api/tasks/${ref}`)).json;

    it('creates, reads by id and key, edits and deletes projects, with the Phase 1 fields and clear errors', async () => {
      const p = await project('DEMO', { github_repo_url: 'https://github.com/acme/rocket.git', description: 'demo' });
      assert.deepEqual([p.key, p.status, p.github_repo_owner, p.github_repo_name], ['DEMO', 'active', 'acme', 'rocket']);
      assert.equal(typeof p.id, 'number');
      assert.equal((await call<WireProject>('GET', '/api/projects/DEMO')).json.id, p.id);
      assert.equal((await call<WireProject>('GET', `/api/projects/${p.id}`)).json.key, 'DEMO');

      const dup = await call('POST', '/api/projects', { name: 'again', key: 'DEMO' });
      assert.deepEqual([dup.status, codeOf(dup)], [400, 'PROJECT_KEY_TAKEN']);
      const badKey = await call('POST', '/api/projects', { name: 'x', key: 'demo-1' });
      assert.equal(badKey.status, 400);
      assert.match(JSON.stringify(badKey.json), /key/);
      assert.equal((await call('POST', '/api/projects', { name: 'x', key: 'X1', status: 'paused' })).status, 400);
      assert.equal((await call('POST', '/api/projects', { name: 'x', key: 'X2', github_repo_url: 'https://gitlab.com/a' })).status, 400);

      const ssh = await call<WireProject>('PATCH', '/api/projects/DEMO', { github_repo_url: 'git@ghe.example.com:team/app.git', status: 'on_hold' });
      assert.equal(ssh.status, 200);
      assert.deepEqual([ssh.json.github_repo_owner, ssh.json.github_repo_name, ssh.json.status], ['team', 'app', 'on_hold']);
      const cleared = await call<WireProject>('PATCH', '/api/projects/DEMO', { github_repo_url: null });
      assert.deepEqual([cleared.json.github_repo_owner, cleared.json.github_repo_name], [null, null]);

      assert.equal(codeOf(await call('GET', '/api/projects/NOPE')), 'PROJECT_NOT_FOUND');
      assert.equal((await call('GET', '/api/projects/999999')).status, 404);
    });

    it('accepts a local git clone as repo_path (default branch read from it) and refuses anything else', async () => {
      const repo = join(work, 'clone');
      execFileSync('git', ['init', '-q', '-b', 'trunk', repo]);
      writeFileSync(join(repo, 'README.md'), 'hi\n');
      execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init']);
      const p = await project('REPO', { repo_path: repo });
      assert.deepEqual([p.repo_path, p.default_branch], [repo, 'trunk']);
      const notGit = await call('POST', '/api/projects', { name: 'x', key: 'NOGIT', repo_path: work });
      assert.deepEqual([notGit.status, codeOf(notGit)], [400, 'REPO_PATH_INVALID']);
      const relative = await call('POST', '/api/projects', { name: 'x', key: 'REL', repo_path: 'clone' });
      assert.deepEqual([relative.status, codeOf(relative)], [400, 'REPO_PATH_INVALID']);
      const inData = await call('POST', '/api/projects', { name: 'x', key: 'INDATA', repo_path: join(t.db.dataDir, 'x') });
      assert.deepEqual([inData.status, codeOf(inData)], [400, 'REPO_PATH_INVALID']);
      // This server has no GITHUB_TOKEN: a pull request is refused before anything is pushed.
      await call('PATCH', '/api/projects/REPO', { github_repo_url: 'https://github.com/acme/clone' });
      await task('REPO', 'no token');
      const pr = await call('POST', '/api/tasks/REPO-1/create_pr', {});
      assert.deepEqual([pr.status, codeOf(pr)], [400, 'GITHUB_TOKEN_MISSING']);
    });

    it('numbers 100 tasks created at once 1..100 without a gap or a duplicate', async () => {
      await project('PAR');
      const made = await Promise.all(Array.from({ length: 100 }, (_, i) => call<WireBoardTask>('POST', '/api/tasks', { project_id: 'PAR', title: `t${i}` })));
      assert.ok(made.every((r) => r.status === 201), JSON.stringify(made.find((r) => r.status !== 201)?.json));
      const numbers = made.map((r) => Number(r.json.key.split('-')[1])).sort((a, b) => a - b);
      assert.deepEqual(numbers, Array.from({ length: 100 }, (_, i) => i + 1));
      const listed: WireBoardTask[] = [];
      for (let cursor: string | null = null; ; ) {
        const page: { json: { tasks: WireBoardTask[]; next_cursor: string | null } } = await call('GET', `/api/tasks?project_id=PAR&limit=30${cursor ? `&cursor=${cursor}` : ''}`);
        listed.push(...page.json.tasks);
        cursor = page.json.next_cursor;
        if (cursor === null) break;
      }
      assert.equal(new Set(listed.map((x) => x.id)).size, 100, 'the cursor walks every task once');
    });

    it('keeps a column in order: a move writes one card, filters and search find it, the history says who did what', async () => {
      await project('COL');
      const a = await task('COL', 'Write the spec', { priority: 'high' });
      const b = await task('COL', 'Build the thing', { description: 'with care' });
      const c = await task('COL', 'Ship it');
      assert.equal(a.key, 'COL-1');
      assert.ok(a.position < b.position && b.position < c.position);
      assert.equal((await getTask('col-2')).id, b.id, 'keys are case-insensitive');

      // Put C between A and B, then move A to in_progress (appended there).
      const between = (a.position + b.position) / 2;
      assert.equal((await call<WireBoardTask>('PATCH', `/api/tasks/${c.key}`, { position: between })).json.position, between);
      const todo = (await call<{ tasks: WireBoardTask[] }>('GET', '/api/tasks?project_id=COL&status=todo')).json.tasks.map((x) => x.key);
      assert.deepEqual(todo, ['COL-1', 'COL-3', 'COL-2']);
      const moved = await call<WireBoardTask>('PATCH', `/api/tasks/${a.id}`, { status: 'in_progress' });
      assert.equal(moved.json.status, 'in_progress');
      assert.equal((await getTask(b.key)).position, b.position, 'the other cards were not rewritten');

      assert.deepEqual((await call<{ tasks: WireBoardTask[] }>('GET', '/api/tasks?project_id=COL&q=CARE')).json.tasks.map((x) => x.key), ['COL-2']);
      assert.equal((await call('PATCH', `/api/tasks/${a.id}`, { status: 'doing' })).status, 400);
      assert.equal((await call('PATCH', `/api/tasks/${a.id}`, { title: '' })).status, 400);
      assert.equal(codeOf(await call('GET', '/api/tasks/COL-99')), 'BOARD_TASK_NOT_FOUND');

      const history = (await call<{ activity: WireActivity[] }>('GET', `/api/tasks/${a.key}/activity`)).json.activity;
      assert.deepEqual(history.map((h) => h.kind), ['created', 'moved']);
      assert.deepEqual(history[1]?.details, { from: 'todo', to: 'in_progress' });
      assert.ok(history.every((h) => typeof h.actor_id === 'string'));

      assert.equal((await call('DELETE', `/api/tasks/${b.key}`)).status, 200);
      assert.equal((await call('GET', `/api/tasks/${b.key}`)).status, 404);
    });

    it('renumbers a column once moves between two cards leave no room, keeping the order asked for', async () => {
      await project('GAP');
      const first = await task('GAP', 'First');
      const last = await task('GAP', 'Last');
      // Each new card goes right after First: the gap halves every time.
      const order = [first.key];
      let next = last.position;
      let renumbered: WireActivity | undefined;
      for (let i = 0; i < 40 && renumbered === undefined; i++) {
        const card = await task('GAP', `Card ${i}`);
        const position = (first.position + next) / 2;
        const moved = await call<WireBoardTask>('PATCH', `/api/tasks/${card.key}`, { position });
        assert.equal(moved.status, 200, JSON.stringify(moved.json));
        order.splice(1, 0, card.key);
        next = moved.json.position;
        const history = (await call<{ activity: WireActivity[] }>('GET', `/api/tasks/${card.key}/activity`)).json.activity;
        renumbered = history.find((h) => h.details['renumbered'] !== undefined);
      }
      assert.ok(renumbered, 'the column was renumbered before the gap ran out');
      assert.equal(renumbered.details['renumbered'], 'todo');
      order.push(last.key);
      const column = (await call<{ tasks: WireBoardTask[] }>('GET', '/api/tasks?project_id=GAP&status=todo')).json.tasks;
      assert.deepEqual(column.map((x) => x.key), order, 'the order asked for is kept');
      assert.deepEqual(column.map((x) => x.position), order.map((_, i) => (i + 1) * 1024), 'evenly spaced again');
    });

    it('runs an agent on a board task: the execution record, its live state, and the card following it', async () => {
      await project('RUN', { default_agent_type: 'gated' });
      const done = await task('RUN', 'Say hello', { description: 'politely' });
      const exec = await call<WireExecution>('POST', '/api/tasks/execute', { task_id: done.key });
      assert.equal(exec.status, 201, JSON.stringify(exec.json));
      assert.equal(exec.json.agent_type, 'gated');
      assert.equal(exec.json.task_id, done.id);
      const finished = await waitFor(async () => {
        const card = await getTask(done.key);
        return card.agent_execution_status === 'completed' && card.status === 'done' ? card : undefined;
      }, 'the card to be done');
      assert.equal(finished.status, 'done');
      const [record] = (await call<{ executions: WireExecution[] }>('GET', `/api/tasks/${done.key}/executions`)).json.executions;
      assert.equal(record?.status, 'completed');
      assert.equal(record?.execution_uuid, exec.json.execution_uuid);
      const response = JSON.parse(record?.response ?? '{}') as { prompt: string; task: { key: string }; project: { key: string } };
      assert.deepEqual([response.prompt, response.task.key, response.project.key], ['Say hello\n\npolitely', 'RUN-1', 'RUN']);

      // While it works the card is in progress; a failure blocks it.
      const slow = await task('RUN', 'Wait for me');
      const running = await call<WireExecution>('POST', '/api/tasks/execute', { task_id: slow.key, prompt: 'ask:ready?' });
      await waitFor(async () => ((await getTask(slow.key)).status === 'in_progress' ? true : undefined), 'in progress');
      assert.equal((await t.request(`/api/runtime/tasks/${running.json.execution_uuid}/answer`, { method: 'POST', body: JSON.stringify({ answer: 'yes' }) })).status, 200);
      await waitFor(async () => ((await getTask(slow.key)).status === 'done' ? true : undefined), 'done after the answer');
      const failing = await task('RUN', 'Break');
      await call('POST', '/api/tasks/execute', { task_id: failing.key, prompt: 'fail:boom' });
      const blocked = await waitFor(async () => {
        const card = await getTask(failing.key);
        return card.status === 'blocked' ? card : undefined;
      }, 'blocked');
      assert.equal(blocked.agent_execution_status, 'failed');
      const failed = (await call<{ executions: WireExecution[] }>('GET', `/api/tasks/${failing.key}/executions`)).json.executions[0];
      assert.match(failed?.error_message ?? '', /boom/);
    });

    it('never undoes a person moving the card while the execution runs', async () => {
      await project('MOVE', { default_agent_type: 'gated' });
      const card = await task('MOVE', 'Mine');
      const exec = await call<WireExecution>('POST', '/api/tasks/execute', { task_id: card.key, prompt: 'ask:go?' });
      await waitFor(async () => ((await getTask(card.key)).agent_execution_status === 'waiting' ? true : undefined), 'waiting');
      assert.equal((await call('PATCH', `/api/tasks/${card.key}`, { status: 'todo' })).status, 200);
      await t.request(`/api/runtime/tasks/${exec.json.execution_uuid}/answer`, { method: 'POST', body: JSON.stringify({ answer: 'go' }) });
      const after = await waitFor(async () => {
        const c = await getTask(card.key);
        return c.agent_execution_status === 'completed' ? c : undefined;
      }, 'completed');
      assert.equal(after.status, 'todo');
    });

    it('refuses an execution with no agent (422), an unknown agent (422) and a viewer (403, audited)', async () => {
      await project('NOAG');
      const card = await task('NOAG', 'Orphan');
      const none = await call('POST', '/api/tasks/execute', { task_id: card.key });
      assert.equal(none.status, 400);
      assert.match(JSON.stringify(none.json), /agent_type/);
      const unknown = await call('POST', '/api/tasks/execute', { task_id: card.key, agent_type: 'no-such-agent' });
      assert.deepEqual([unknown.status, codeOf(unknown)], [422, 'AGENT_NOT_FOUND']);
      const viewer = await t.createUser(`view-${dialect}`, ['viewer']);
      assert.equal((await call('POST', '/api/tasks/execute', { task_id: card.key, agent_type: 'gated' }, viewer.token)).status, 403);
      assert.equal((await call('GET', `/api/tasks/${card.key}`, undefined, viewer.token)).status, 200);
      const denials = (await t.app.store.tasks.queryAudit({ eventType: 'permission.denied', userId: viewer.userId, limit: 10 })).items;
      assert.ok(denials.some((d) => d.details['permission'] === 'project:write'));
    });

    it('streams a project board changes: history, then live, resumable by Last-Event-ID, only to readers', async () => {
      await project('LIVE');
      await task('LIVE', 'first');
      const controller = new AbortController();
      const res = await fetch(`${t.url}/api/projects/LIVE/events`, { headers: { authorization: `Bearer ${t.adminToken}` }, signal: controller.signal });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const frames: { id: number; data: WireActivity }[] = [];
      let buffer = '';
      const readUntil = async (n: number): Promise<void> => {
        while (frames.length < n) {
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          buffer += new TextDecoder().decode(value);
          for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const id = /^id: (\d+)$/m.exec(block);
            const data = /^data: (.*)$/m.exec(block);
            if (id && data) frames.push({ id: Number(id[1]), data: JSON.parse(data[1] ?? '') as WireActivity });
          }
        }
      };
      await readUntil(1);
      assert.deepEqual([frames[0]?.data.kind, frames[0]?.data.task_key], ['created', 'LIVE-1']);
      const second = await task('LIVE', 'second');
      await call('PATCH', `/api/tasks/${second.key}`, { status: 'done' });
      await readUntil(3);
      assert.deepEqual(frames.map((f) => f.data.kind), ['created', 'created', 'moved']);
      controller.abort();

      const resumed = await t.request('/api/projects/LIVE/events?limit=10', { headers: { accept: 'application/json', 'last-event-id': String(frames[0]?.id) } });
      assert.deepEqual(((await resumed.json()) as { activity: WireActivity[] }).activity.map((a) => a.id), frames.slice(1).map((f) => f.id));
      const guest = await t.createUser(`guest-${dialect}`, ['guest']);
      assert.equal((await t.request('/api/projects/LIVE/events', { token: guest.token })).status, 403);
    });

    it('deletes a project with tasks only with force=true, cancelling its running executions', async () => {
      await project('GONE', { default_agent_type: 'gated' });
      const card = await task('GONE', 'long');
      const exec = await call<WireExecution>('POST', '/api/tasks/execute', { task_id: card.key, prompt: 'ask:never answered' });
      await waitFor(async () => ((await getTask(card.key)).agent_execution_status === 'waiting' ? true : undefined), 'waiting');
      const refused = await call('DELETE', '/api/projects/GONE');
      assert.deepEqual([refused.status, codeOf(refused)], [409, 'PROJECT_HAS_TASKS']);
      assert.equal((await call('DELETE', '/api/projects/GONE?force=true')).status, 200);
      assert.equal((await call('GET', '/api/projects/GONE')).status, 404);
      const run = await waitFor(async () => {
        const r = (await (await t.request(`/api/runtime/tasks/${exec.json.execution_uuid}/state`)).json()) as { state: string };
        return r.state === 'cancelled' ? r : undefined;
      }, 'the execution cancelled');
      assert.equal(run.state, 'cancelled');
      const audit = (await t.app.store.tasks.queryAudit({ resourceType: 'project', limit: 50 })).items;
      assert.ok(audit.some((a) => a.eventType === 'resource.deleted' && a.action === 'project.delete'));
    });

    it('lets a runtime submit name a board task only when it exists, matches the project and is the caller\'s to change', async () => {
      const p = await project('LINK');
      const card = await task('LINK', 'linked');
      const submit = (body: Record<string, unknown>) => call('POST', '/api/runtime/tasks/submit', { agent_type: 'echo', prompt: 'linked', ...body });
      assert.equal((await submit({ task_id: card.id, project_id: p.id })).status, 202);
      const missing = await submit({ task_id: 987654 });
      assert.deepEqual([missing.status, codeOf(missing)], [404, 'BOARD_TASK_NOT_FOUND']);
      assert.equal((await submit({ task_id: card.id, project_id: p.id + 1000 })).status, 400);
      await call('POST', '/api/policies', { resource_type: 'project', resource_id: String(p.id), permissions: ['project:write'], allowed_roles: ['admin'] });
      const dev = await t.createUser(`linker-${dialect}`, ['developer']);
      const refused = await call('POST', '/api/runtime/tasks/submit', { agent_type: 'echo', prompt: 'x', task_id: card.id }, dev.token);
      assert.equal(refused.status, 403);
    });

    it('answers the Phase 1 agent paths from the registry', async () => {
      const available = (await call<{ agents: string[] }>('GET', '/api/agents/available')).json.agents;
      assert.ok(available.includes('echo') && available.includes('gated'));
      const types = (await call<{ types: { agent_type: string }[] }>('GET', '/api/agents/types')).json.types.map((x) => x.agent_type);
      assert.ok(types.includes('gated'));
    });
  });
}
