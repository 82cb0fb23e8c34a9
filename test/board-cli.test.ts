/**
 * `switchboard projects|board|tasks` as child processes against a real server on
 * every database, with a real clone and bare origin, a command agent editing the
 * task's worktree, and a local server speaking the GitHub REST API for `tasks pr`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import type { FakeGithub } from './helpers/fake-github.ts';
import type { TestApp } from './helpers/test-app.ts';
import { startBoardWorld, type BoardWorld } from './helpers/board-repo.ts';
import { runCliAgainst, type CliResult } from './helpers/cli-process.ts';

const TOKEN = 'ghp_cliFixtureTOKEN0123456789abcdefABCD';


const ok = (r: CliResult, what: string): CliResult => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);
  return r;
};

for (const dialect of DIALECTS) {
  describe(`board CLI on ${dialect}`, () => {
    let world: BoardWorld;
    let t: TestApp;
    let github: FakeGithub;
    let clone: string;
    const cli = (args: readonly string[], opts: { token?: string | null } = {}) => runCliAgainst(t, args, opts);

    before(async () => {
      world = await startBoardWorld(dialect, TOKEN);
      ({ t, github, clone } = world);
    });
    after(() => world.close());

    it('creates, lists, shows and changes projects', async () => {
      const empty = ok(await cli(['projects', 'list']), 'list');
      assert.match(empty.stderr, /No projects yet/);
      const created = ok(
        await cli(['projects', 'create', '--key', 'RKT', '--name', 'Rocket', '--repo-path', clone, '--repo-url', 'https://github.com/acme/rocket', '--agent', 'editor', '--description', 'Fly']),
        'create',
      );
      assert.match(created.stdout, /^Created project RKT \(id \d+\)/);
      const [list, shown, updated] = await Promise.all([
        cli(['projects', 'list']),
        cli(['projects', 'show', 'RKT', '--json']),
        cli(['projects', 'update', 'RKT', '--description', '', '--status', 'on_hold']),
      ]);
      assert.match(ok(list, 'list').stdout, /^KEY\s+ID\s+STATUS\s+AGENT\s+REPOSITORY\s+NAME\nRKT\s+\d+\s+\S+\s+editor\s+https:\/\/github\.com\/acme\/rocket\s+Rocket\n$/);
      const project = JSON.parse(ok(shown, 'show').stdout) as { key: string; default_branch: string; repo_path: string };
      assert.deepEqual([project.key, project.default_branch, project.repo_path], ['RKT', 'main', clone]);
      assert.match(ok(updated, 'update').stdout, /Status:\s+on_hold\nDescription:\s+-\n/, "'' cleared the description");
    });

    it('shows the board by column and moves, edits and deletes cards', async () => {
      ok(await cli(['tasks', 'create', 'RKT', 'Add', 'notes', '--priority', 'high']), 'create 1');
      const second = ok(await cli(['tasks', 'create', 'RKT', 'Second', 'card']), 'create 2');
      assert.match(second.stdout, /^Created RKT-2 in todo/);
      ok(await cli(['tasks', 'create', 'RKT', 'Third', '--status', 'blocked']), 'create 3');
      const moved = ok(await cli(['tasks', 'move', 'RKT-2', 'in_progress']), 'move');
      assert.match(moved.stdout, /^RKT-2 is in in_progress \(position [\d.]+\)/);
      ok(await cli(['tasks', 'move', 'RKT-3', 'todo', '--position', '0.5']), 'move with a position');

      const board = ok(await cli(['board', 'RKT']), 'board').stdout;
      const section = (name: string): string => board.split('\n\n').find((s) => s.startsWith(name)) ?? '';
      assert.match(section('TODO (2)'), /RKT-3[^\n]*Third\n\s+RKT-1\s+high[^\n]*Add notes$/, 'cards in position order');
      assert.match(section('IN PROGRESS (1)'), /RKT-2\s+medium/);
      assert.equal(section('DONE (0)'), 'DONE (0)\n  -');
      const json = JSON.parse(ok(await cli(['board', 'RKT', '--json']), 'board --json').stdout) as { project: { key: string }; columns: Record<string, { key: string }[]> };
      assert.equal(json.project.key, 'RKT');
      assert.deepEqual(Object.fromEntries(Object.entries(json.columns).map(([k, v]) => [k, v.map((c) => c.key)])), {
        todo: ['RKT-3', 'RKT-1'],
        in_progress: ['RKT-2'],
        in_review: [],
        done: [],
        blocked: [],
      });

      const edited = ok(await cli(['tasks', 'edit', 'RKT-2', '--title', 'Second, renamed', '--priority', 'critical', '--agent', 'editor']), 'edit');
      assert.match(edited.stdout, /^Task:\s+RKT-2 · Second, renamed/);
      assert.match(edited.stdout, /Priority:\s+critical\nAgent:\s+editor/);
      assert.match(ok(await cli(['tasks', 'delete', 'RKT-2']), 'delete').stdout, /^Deleted RKT-2 \(Second, renamed\)/);
      const gone = await cli(['tasks', 'show', 'RKT-2']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /No such board task/);
    });

    it('executes a card with --follow, shows its execution, diffs its branch and opens a pull request once', async () => {
      const run = ok(await cli(['tasks', 'execute', 'RKT-1', '--prompt', 'first note', '--follow']), 'execute --follow');
      assert.match(run.stdout, /Executing RKT-1 on editor \(runtime task [0-9a-f-]{36}\)/);
      assert.match(run.stdout, /completed/);
      const shown = JSON.parse(ok(await cli(['tasks', 'show', 'RKT-1', '--json']), 'show').stdout) as {
        status: string;
        agent_execution_status: string;
        github_branch_name: string;
        executions: { status: string; agent_type: string }[];
      };
      assert.deepEqual([shown.status, shown.agent_execution_status, shown.github_branch_name], ['in_review', 'completed', 'task/rkt-1']);
      assert.deepEqual(shown.executions.map((e) => [e.agent_type, e.status]), [['editor', 'completed']]);

      const detached = ok(await cli(['tasks', 'execute', 'RKT-1', '--prompt', 'noop']), 'execute');
      assert.match(detached.stdout, /^[0-9a-f-]{36}\n$/, 'prints the runtime task id');
      assert.match(detached.stderr, /switchboard watch [0-9a-f-]{36}/);
      ok(await cli(['watch', detached.stdout.trim()]), 'watch the execution to its end');

      const diff = ok(await cli(['tasks', 'diff', 'RKT-1']), 'diff');
      assert.match(diff.stderr, /^task\/rkt-1 against main: 2 file\(s\) changed\n/);
      assert.match(diff.stderr, /\+1 -0 {2}NOTES\.md/);
      assert.match(diff.stdout, /^diff --git/);
      assert.match(diff.stdout, /\+first note/);

      const pr = ok(await cli(['tasks', 'pr', 'RKT-1', '--title', 'Notes']), 'pr');
      assert.match(pr.stdout, /^https?:\/\/\S+\/pull\/1\n$/);
      assert.match(pr.stderr, /Opened pull request #1 from task\/rkt-1/);
      const again = ok(await cli(['tasks', 'pr', 'RKT-1']), 'pr again');
      assert.equal(again.stdout, pr.stdout);
      assert.match(again.stderr, /Already open: pull request #1/);
      assert.equal(github.requests.filter((r) => r.method === 'POST').length, 1);
      for (const r of [run, diff, pr, again]) assert.ok(!`${r.stdout}${r.stderr}`.includes(TOKEN));
    });

    it('refuses bad input and missing permissions with one clear line and the right exit code', async () => {
      const viewer = await t.createUser('board-viewer', ['viewer']);
      const [unknown, badColumn, badKey, denied, badAgent, notEmpty, noChange] = await Promise.all([
        cli(['projects', 'show', 'NOPE']),
        cli(['tasks', 'move', 'RKT-1', 'sideways']),
        cli(['projects', 'create', '--key', 'bad key', '--name', 'x']),
        cli(['projects', 'create', '--key', 'VIEW', '--name', 'x'], { token: viewer.token }),
        cli(['tasks', 'execute', 'RKT-1', '--agent', 'no-such-agent']),
        cli(['projects', 'delete', 'RKT']),
        cli(['tasks', 'edit', 'RKT-1']),
      ]);
      assert.deepEqual([unknown.code, badColumn.code, badKey.code, denied.code, badAgent.code, notEmpty.code, noChange.code], [1, 2, 1, 1, 1, 1, 2]);
      assert.match(unknown.stderr, /No such project \(PROJECT_NOT_FOUND\)/);
      assert.match(badColumn.stderr, /Allowed choices are todo, in_progress, in_review, done, blocked/);
      assert.match(badKey.stderr, /key: .*VALIDATION_FAILED/);
      assert.match(denied.stderr, /Permission denied/);
      assert.match(badAgent.stderr, /no-such-agent|AGENT/);
      assert.match(notEmpty.stderr, /still has tasks.*--force/);
      assert.match(noChange.stderr, /nothing to change/);
      for (const r of [unknown, badColumn, badKey, denied, badAgent, notEmpty, noChange]) {
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
        assert.equal(r.stdout, '');
      }

      assert.match(ok(await cli(['projects', 'delete', 'RKT', '--force']), 'delete --force').stdout, /^Deleted project RKT .* with its tasks/);
      assert.match(ok(await cli(['projects', 'list']), 'list').stderr, /No projects yet/);
    });
  });
}
