/**
 * Removing task worktrees on every database, on a real temporary git repository: a
 * command agent with a `repo` runs each task in `task/<id>`'s worktree, kept after
 * the task; its owner removes it (and the branch with delete_branch=true), audited
 * as resource.deleted; not while the task runs (409); someone else's task looks
 * absent (404, audited denial); a task without a worktree gets 404; `switchboard
 * worktree remove` does the same from the command line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst, type CliResult } from './helpers/cli-process.ts';
import { submit, waitForState } from './helpers/api.ts';

const WAIT_FOR_FILE = fileURLToPath(new URL('./fixtures/wait-for-file.mjs', import.meta.url));

function git(repo: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { encoding: 'utf8' });
}

/** Runs the CLI against the test server with `token`. */
const cli = (t: TestApp, args: readonly string[], token: string): Promise<CliResult> => runCliAgainst(t, args, { token });

interface WireError { error: { code: string } }

for (const dialect of DIALECTS) {
  describe(`task worktree removal on ${dialect}`, () => {
    let t: TestApp;
    let repo: string;
    let gates: string;
    let owner: { userId: string; token: string };
    let stranger: { userId: string; token: string };

    const worktreeOf = (taskId: string): string => join(t.db.dataDir, 'worktrees', taskId);
    const branches = (): string[] => git(repo, ['branch', '--list', 'task/*', '--format=%(refname:short)']).split('\n').filter((b) => b !== '');
    const del = (taskId: string, token: string, query = '') => t.request(`/api/runtime/tasks/${taskId}/worktree${query}`, { method: 'DELETE', token });

    /** A task of the repo agent, run to completion by the owner. */
    async function finishedTask(prompt: string): Promise<string> {
      writeFileSync(join(gates, `release-${prompt}`), '');
      const task = await submit(t, { agent_type: 'coder', prompt }, { token: owner.token });
      const done = await waitForState(t, task.task_id, ['completed', 'failed']);
      assert.equal(done.state, 'completed', done.error ?? '');
      return task.task_id;
    }

    before(async () => {
      repo = mkdtempSync(join(tmpdir(), 'sb-wt-repo-'));
      gates = mkdtempSync(join(tmpdir(), 'sb-wt-gates-'));
      git(repo, ['init', '--quiet', '--initial-branch=main']);
      writeFileSync(join(repo, 'README.md'), '# test repo\n');
      git(repo, ['add', 'README.md']);
      git(repo, ['commit', '--quiet', '-m', 'init']);
      const file = join(gates, 'switchboard.config.yaml');
      writeFileSync(
        file,
        ['agents:', '  - id: coder', '    kind: command', `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(WAIT_FOR_FILE)}, ${JSON.stringify(gates)}]`, `    repo: ${JSON.stringify(repo)}`, ''].join('\n'),
      );
      t = await startTestApp(dialect, { env: { SWITCHBOARD_CONFIG: file } });
      owner = await t.createUser('wt-owner', ['developer']);
      stranger = await t.createUser('wt-stranger', ['developer']);
    });
    after(async () => t.close());

    it("keeps a finished task's worktree, and removes it with its branch for the owner", async () => {
      const id = await finishedTask('w1');
      assert.ok(existsSync(join(worktreeOf(id), 'README.md')), 'the worktree is kept after the task');
      const branch = `task/${id.slice(-8)}`;
      assert.ok(branches().includes(branch));

      const hidden = await del(id, stranger.token);
      assert.equal(hidden.status, 404);
      assert.equal(((await hidden.json()) as WireError).error.code, 'TASK_NOT_FOUND');
      assert.ok(existsSync(worktreeOf(id)));

      const res = await del(id, owner.token, '?delete_branch=true');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { task_id: id, branch, branch_deleted: true, removed: true });
      assert.equal(existsSync(worktreeOf(id)), false);
      assert.ok(!branches().includes(branch));

      const again = await del(id, owner.token);
      assert.equal(again.status, 404);
      assert.equal(((await again.json()) as WireError).error.code, 'WORKTREE_NOT_FOUND');

      const audit = (await (await t.request(`/api/audit/events?resource_type=worktree&limit=50`)).json()) as {
        events: { event_type: string; resource_id: string; user_id: string; status: string; details: Record<string, unknown> }[];
      };
      const deleted = audit.events.find((e) => e.event_type === 'resource.deleted');
      assert.equal(deleted?.resource_id, id);
      assert.equal(deleted?.user_id, owner.userId);
      assert.deepEqual(deleted?.details, { branch, branch_deleted: true });
      const denials = (await (await t.request(`/api/audit/events?resource_type=task&event_type=permission.denied&limit=50`)).json()) as typeof audit;
      assert.ok(denials.events.some((e) => e.resource_id === id && e.user_id === stranger.userId && e.details['permission'] === 'task:cancel'));
    });

    it('refuses while the task still runs (409), and answers 404 for a task without a worktree', async () => {
      const task = await submit(t, { agent_type: 'coder', prompt: 'w2' }, { token: owner.token });
      await waitForState(t, task.task_id, ['running']);
      const busy = await del(task.task_id, owner.token);
      assert.equal(busy.status, 409);
      assert.equal(((await busy.json()) as WireError).error.code, 'TASK_NOT_TERMINAL');
      writeFileSync(join(gates, 'release-w2'), '');
      await waitForState(t, task.task_id, ['completed']);

      const echo = await submit(t, { agent_type: 'echo', prompt: 'no worktree' }, { token: owner.token });
      await waitForState(t, echo.task_id, ['completed']);
      const none = await del(echo.task_id, owner.token);
      assert.equal(none.status, 404);
      assert.equal(((await none.json()) as WireError).error.code, 'WORKTREE_NOT_FOUND');
    });

    it('removes worktrees from the command line, keeping the branch unless asked', async () => {
      const [id, id2, id3] = [await finishedTask('w3'), await finishedTask('w4'), await finishedTask('w5')];
      // Independent calls run side by side: each CLI start costs seconds on a busy machine.
      const [kept, gone, refused] = await Promise.all([
        cli(t, ['worktree', 'remove', id], t.adminToken),
        cli(t, ['worktree', 'remove', id2, '--delete-branch', '--json'], owner.token),
        cli(t, ['worktree', 'remove', id3], stranger.token),
      ]);
      const branch = `task/${id.slice(-8)}`;
      assert.equal(kept.code, 0, kept.stderr);
      assert.match(kept.stdout, new RegExp(`branch ${branch} kept`));
      assert.equal(existsSync(worktreeOf(id)), false);
      assert.ok(branches().includes(branch));

      assert.equal(gone.code, 0, gone.stderr);
      assert.equal((JSON.parse(gone.stdout) as { branch_deleted: boolean }).branch_deleted, true);
      assert.ok(!branches().includes(`task/${id2.slice(0, 8)}`));

      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /No such task/);
      assert.ok(existsSync(worktreeOf(id3)));
    });
  });
}
