/**
 * A board task's branch, end to end on every database, on a real temporary clone with
 * a real bare `origin` and a local server speaking the GitHub REST API: executions of
 * a command agent run in the task's worktree (reused), the diff shows their work, a
 * pull request is committed, pushed and opened once (a second call returns it), and
 * every error path answers a clear code without a credential anywhere.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import type { FakeGithub } from './helpers/fake-github.ts';
import type { TestApp } from './helpers/test-app.ts';
import { git, startBoardWorld, type BoardWorld } from './helpers/board-repo.ts';
import { waitFor } from './helpers/wait.ts';
import { recordSecret } from './helpers/log-capture.ts';

const TOKEN = 'ghp_fixtureTOKEN0123456789abcdefABCDEF';


interface WireCard {
  id: number;
  key: string;
  status: string;
  agent_execution_status: string | null;
  github_branch_name: string | null;
  github_pr_url: string | null;
  github_pr_number: number | null;
}

for (const dialect of DIALECTS) {
  describe(`board pull requests on ${dialect}`, () => {
    let world: BoardWorld;
    let t: TestApp;
    let github: FakeGithub;
    let clone: string;
    let origin: string;

    before(async () => {
      world = await startBoardWorld(dialect, TOKEN);
      ({ t, github, clone, origin } = world);
    });
    after(() => world.close());

    const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T; text: string }> => {
      const res = await t.request(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, json: JSON.parse(text) as T, text };
    };
    const codeOf = (r: { json: unknown }): string => (r.json as { error?: { code?: string } }).error?.code ?? '';
    const card = async (key: string): Promise<WireCard> => (await call<WireCard>('GET', `/api/tasks/${key}`)).json;
    const executeAndWait = async (key: string, prompt: string): Promise<WireCard> => {
      const exec = await call<{ execution_uuid: string }>('POST', '/api/tasks/execute', { task_id: key, prompt });
      assert.equal(exec.status, 201, exec.text);
      return waitFor(async () => {
        const state = (await call<{ state: string }>('GET', `/api/runtime/tasks/${exec.json.execution_uuid}/state`)).json.state;
        if (state === 'failed') throw new Error('the execution failed');
        const c = await card(key);
        return state === 'completed' && c.agent_execution_status === 'completed' ? c : undefined;
      }, `${key} to complete`);
    };

    it('runs executions in the task worktree on task/<key>, reused, and diffs it against the default branch', async () => {
      const p = await call('POST', '/api/projects', { name: 'Rocket', key: 'RKT', repo_path: clone, github_repo_url: 'https://github.com/acme/rocket', default_agent_type: 'editor' });
      assert.equal(p.status, 201, p.text);
      assert.equal((p.json as { default_branch: string }).default_branch, 'main');
      assert.equal((await call('POST', '/api/tasks', { project_id: 'RKT', title: 'Add notes' })).status, 201);
      const first = await executeAndWait('RKT-1', 'first note');
      assert.equal(first.github_branch_name, 'task/rkt-1');
      assert.equal(first.status, 'in_review', 'completed with changes: in review');
      const worktree = join(t.db.dataDir, 'board-worktrees', String(first.id));
      assert.equal(git(worktree, ['rev-parse', '--abbrev-ref', 'HEAD']).trim(), 'task/rkt-1');
      await executeAndWait('RKT-1', 'second note');
      assert.equal(readFileSync(join(worktree, 'NOTES.md'), 'utf8'), 'first note\nsecond note\n', 'the second execution reused the worktree');
      assert.equal(readFileSync(join(clone, 'README.md'), 'utf8'), '# rocket\n', "the clone's own checkout is untouched");

      const diff = await call<{ base: string; branch: string; files: { path: string; added: number; removed: number }[]; diff: string; truncated: boolean }>('GET', '/api/tasks/RKT-1/diff');
      assert.equal(diff.status, 200, diff.text);
      assert.deepEqual([diff.json.base, diff.json.branch, diff.json.truncated], ['main', 'task/rkt-1', false]);
      assert.deepEqual(diff.json.files.map((f) => [f.path, f.added, f.removed]).sort(), [['NOTES.md', 2, 0], ['README.md', 2, 0]]);
      assert.match(diff.json.diff, /\+second note/);

      // An execution that changes nothing leaves its card done.
      assert.equal((await call('POST', '/api/tasks', { project_id: 'RKT', title: 'Nothing' })).status, 201);
      assert.equal((await executeAndWait('RKT-2', 'noop')).status, 'done');
    });

    it('commits, pushes and opens the pull request once; a second call returns the same one', async () => {
      const pr = await call<{ success: boolean; pr_url: string; pr_number: number; branch_name: string; created: boolean }>('POST', '/api/tasks/RKT-1/create_pr', { title: 'Notes' });
      assert.equal(pr.status, 200, pr.text);
      assert.deepEqual([pr.json.success, pr.json.pr_number, pr.json.branch_name, pr.json.created], [true, 1, 'task/rkt-1', true]);
      assert.match(git(origin, ['ls-remote', '--heads', origin]), /refs\/heads\/task\/rkt-1/);
      const log = git(origin, ['log', '--format=%an <%ae> %s', 'task/rkt-1', '-1']).trim();
      assert.equal(log, 'Switchboard <switchboard@localhost> RKT-1: Add notes');
      const created = github.requests.filter((r) => r.method === 'POST');
      assert.equal(created.length, 1);
      assert.deepEqual({ ...(created[0]?.body as object), body: undefined }, { head: 'task/rkt-1', base: 'main', title: 'Notes', body: undefined });
      assert.equal(created[0]?.authorization, `token ${TOKEN}`);
      const stored = await card('RKT-1');
      assert.deepEqual([stored.github_pr_url, stored.github_pr_number], [pr.json.pr_url, 1]);

      const again = await call<{ pr_number: number; created: boolean }>('POST', '/api/tasks/RKT-1/create_pr', {});
      assert.deepEqual([again.status, again.json.pr_number, again.json.created], [200, 1, false]);
      assert.equal(github.requests.filter((r) => r.method === 'POST').length, 1, 'no second pull request');
      const history = (await call<{ activity: { kind: string }[] }>('GET', '/api/tasks/RKT-1/activity')).json.activity.map((a) => a.kind);
      assert.ok(history.includes('pr_opened'));
      for (const file of [join(clone, '.git', 'config'), join(origin, 'config')]) assert.ok(!readFileSync(file, 'utf8').includes(TOKEN), `no token in ${file}`);
    });

    it('opens a new pull request once the stored one was closed, and takes one opened by someone else meanwhile', async () => {
      // Closed on GitHub: the next call pushes the new work and opens a second one.
      const first = github.pulls.get('acme/rocket')?.find((p) => p.number === 1);
      assert.ok(first);
      first.state = 'closed';
      await executeAndWait('RKT-1', 'third note');
      const reopened = await call<{ pr_number: number; created: boolean }>('POST', '/api/tasks/RKT-1/create_pr', {});
      assert.deepEqual([reopened.status, reopened.json.pr_number, reopened.json.created], [200, 2, true], reopened.text);
      assert.equal((await card('RKT-1')).github_pr_number, 2);
      // Still open: returned as stored, nothing opened.
      const kept = await call<{ pr_number: number; created: boolean }>('POST', '/api/tasks/RKT-1/create_pr', {});
      assert.deepEqual([kept.json.pr_number, kept.json.created], [2, false]);

      // Two calls at once for a new card: one pull request, both answers name it.
      await call('POST', '/api/tasks', { project_id: 'RKT', title: 'Twice' });
      const twice = await executeAndWait('RKT-3', 'twice note');
      const both = await Promise.all([0, 1].map(() => call<{ pr_number: number; created: boolean }>('POST', `/api/tasks/${twice.key}/create_pr`, {})));
      assert.deepEqual(both.map((r) => r.status), [200, 200], both.map((r) => r.text).join('\n'));
      assert.equal(both[0]?.json.pr_number, both[1]?.json.pr_number);
      assert.deepEqual(both.map((r) => r.json.created).sort(), [false, true]);

      // Opened by someone else between our look and our create: GitHub's 422 "already exists" becomes that one.
      const other = github.pulls.get('acme/rocket')?.find((p) => p.number === both[0]?.json.pr_number);
      assert.ok(other);
      other.state = 'closed';
      await executeAndWait(twice.key, 'fourth note');
      github.pulls.set('acme/rocket', [...(github.pulls.get('acme/rocket') ?? []), { ...other, number: 99, state: 'open', html_url: 'https://github.example/acme/rocket/pull/99' }]);
      github.staleListNext();
      const raced = await call<{ pr_number: number; created: boolean }>('POST', `/api/tasks/${twice.key}/create_pr`, {});
      assert.deepEqual([raced.status, raced.json.pr_number, raced.json.created], [200, 99, false], raced.text);
      assert.equal((await card(twice.key)).github_pr_number, 99);
    });

    it('answers each error with its code and never the token', async () => {
      // Never executed: no worktree, nothing to propose.
      assert.equal((await call('POST', '/api/tasks', { project_id: 'RKT', title: 'Idle' })).status, 201);
      const idle = await call('POST', '/api/tasks/RKT-4/create_pr', {});
      assert.deepEqual([idle.status, codeOf(idle)], [409, 'NOTHING_TO_PROPOSE']);
      // Executed without changes: nothing to propose either.
      const noop = await call('POST', '/api/tasks/RKT-2/create_pr', {});
      assert.deepEqual([noop.status, codeOf(noop)], [409, 'NOTHING_TO_PROPOSE']);
      // No repository at all.
      await call('POST', '/api/projects', { name: 'Bare', key: 'BARE' });
      await call('POST', '/api/tasks', { project_id: 'BARE', title: 'x' });
      const none = await call('POST', '/api/tasks/BARE-1/create_pr', {});
      assert.deepEqual([none.status, codeOf(none)], [400, 'REPO_NOT_CONFIGURED']);
      assert.equal(codeOf(await call('GET', '/api/tasks/BARE-1/diff')), 'REPO_NOT_CONFIGURED');

      // GitHub refusing: 401, 403, 404 (the branch has work; each call tries again).
      await call('POST', '/api/tasks', { project_id: 'RKT', title: 'Refused' });
      await executeAndWait('RKT-5', 'refused note');
      const answers: [number, number, string][] = [
        [401, 422, 'GITHUB_TOKEN_INVALID'],
        [403, 422, 'GITHUB_FORBIDDEN'],
        [404, 404, 'GITHUB_REPO_NOT_FOUND'],
      ];
      for (const [upstream, status, code] of answers) {
        github.failNext(upstream);
        const r = await call('POST', '/api/tasks/RKT-5/create_pr', {});
        assert.deepEqual([r.status, codeOf(r)], [status, code], r.text);
        assert.ok(!r.text.includes(TOKEN));
      }

      // The origin refusing the push.
      const hook = join(origin, 'hooks', 'pre-receive');
      writeFileSync(hook, '#!/bin/sh\necho "push rejected by policy" >&2\nexit 1\n');
      chmodSync(hook, 0o755);
      await call('POST', '/api/tasks', { project_id: 'RKT', title: 'Blocked push' });
      await executeAndWait('RKT-6', 'blocked note');
      const refused = await call('POST', '/api/tasks/RKT-6/create_pr', {});
      rmSync(hook);
      assert.deepEqual([refused.status, codeOf(refused)], [409, 'GIT_PUSH_REFUSED'], refused.text);
      assert.match(refused.text, /rejected by policy/);
      assert.ok(!refused.text.includes(TOKEN));
      assert.ok(existsSync(join(t.db.dataDir, 'board-worktrees')));

      // Credentials written into the origin URL never come back in an error or the audit log.
      const urlSecret = 'url-secret-0123456789abcdef';
      recordSecret(urlSecret);
      git(clone, ['remote', 'set-url', 'origin', `http://someone:${urlSecret}@127.0.0.1:9/rocket.git`]);
      try {
        await call('POST', '/api/tasks', { project_id: 'RKT', title: 'Unreachable' });
        await executeAndWait('RKT-7', 'unreachable note');
        const unreachable = await call('POST', '/api/tasks/RKT-7/create_pr', {});
        assert.deepEqual([unreachable.status, codeOf(unreachable)], [409, 'GIT_PUSH_REFUSED'], unreachable.text);
        assert.match(unreachable.text, /127\.0\.0\.1/, 'the error says where the push went');
        assert.ok(!unreachable.text.includes(urlSecret), unreachable.text);
        assert.ok(!(await call('GET', '/api/audit/events?limit=500')).text.includes(urlSecret));
      } finally {
        git(clone, ['remote', 'set-url', 'origin', origin]);
      }
    });
  });
}
