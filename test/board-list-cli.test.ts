/** `switchboard tasks list`, `tasks activity` and `projects activity` as child processes against a real server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';

interface Card {
  readonly key: string;
  readonly status: string;
}
interface Activity {
  readonly id: number;
  readonly kind: string;
  readonly task_key: string | null;
}

for (const dialect of DIALECTS) {
  describe(`board listing CLI on ${dialect}`, () => {
    let t: TestApp;
    const post = async (path: string, body: unknown, method = 'POST'): Promise<unknown> => {
      const res = await t.request(path, { method, body: JSON.stringify(body) });
      assert.ok(res.status < 300, `${path}: ${res.status} ${await res.clone().text()}`);
      return res.json();
    };
    before(async () => {
      t = await startTestApp(dialect);
      await post('/api/projects', { key: 'ALPHA', name: 'Alpha' });
      await post('/api/projects', { key: 'BETA', name: 'Beta' });
      await post('/api/tasks', { project_id: 'ALPHA', title: 'Paint the fence' });
      await post('/api/tasks', { project_id: 'ALPHA', title: 'Mow the lawn' });
      await post('/api/tasks', { project_id: 'BETA', title: 'Paint the shed' });
      await post('/api/tasks/ALPHA-2', { status: 'done' }, 'PATCH');
    });
    after(async () => t.close());

    it('tasks list filters by project, column and words, and pages', async () => {
      const [alpha, done, paint, page, all, table, badColumn] = await Promise.all([
        cli(t, ['tasks', 'list', '--project', 'ALPHA', '--json']),
        cli(t, ['tasks', 'list', '--status', 'done', '--json']),
        cli(t, ['tasks', 'list', '--search', 'paint', '--json']),
        cli(t, ['tasks', 'list', '--limit', '1']),
        cli(t, ['tasks', 'list', '--limit', '1', '--all', '--json']),
        cli(t, ['tasks', 'list', '--project', 'BETA']),
        cli(t, ['tasks', 'list', '--status', 'someday']),
      ]);
      const keys = (r: { stdout: string; stderr: string; code: number | null }): string[] => {
        assert.equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as { tasks: Card[] }).tasks.map((c) => c.key).sort();
      };
      assert.deepEqual(keys(alpha), ['ALPHA-1', 'ALPHA-2']);
      assert.deepEqual(keys(done), ['ALPHA-2']);
      assert.deepEqual(keys(paint), ['ALPHA-1', 'BETA-1']);
      assert.deepEqual(keys(all), ['ALPHA-1', 'ALPHA-2', 'BETA-1']);
      assert.equal(page.code, 0, page.stderr);
      assert.match(page.stderr, /more tasks: switchboard tasks list --cursor \S+ \(or --all\)/);
      assert.match(table.stdout, /^KEY\s+STATUS\s+PRIORITY\s+AGENT\s+RUN\s+TITLE\nBETA-1\s+todo\s+\S+\s+-\s+-\s+Paint the shed\n$/);
      assert.equal(badColumn.code, 2);
    });

    it("tasks activity shows a card's history and projects activity the whole board's, resumable with --after", async () => {
      const [card, board, text, missing] = await Promise.all([
        cli(t, ['tasks', 'activity', 'ALPHA-2', '--json']),
        cli(t, ['projects', 'activity', 'ALPHA', '--json']),
        cli(t, ['tasks', 'activity', 'ALPHA-2']),
        cli(t, ['projects', 'activity', 'NOPE']),
      ]);
      assert.equal(card.code, 0, card.stderr);
      const history = JSON.parse(card.stdout) as Activity[];
      assert.deepEqual(history.map((a) => [a.task_key, a.kind]), [['ALPHA-2', 'created'], ['ALPHA-2', 'moved']]);
      assert.match(text.stdout, /^ID\s+TIME\s+TASK\s+KIND\s+BY\s+DETAILS\n/);
      assert.match(text.stdout, /ALPHA-2\s+moved\s+\S+\s+\{.*done/);
      const entries = JSON.parse(board.stdout) as Activity[];
      assert.deepEqual(entries.map((a) => a.task_key), ['ALPHA-1', 'ALPHA-2', 'ALPHA-2']);
      const first = entries[0]?.id ?? 0;
      const rest = await cli(t, ['projects', 'activity', 'ALPHA', '--after', String(first), '--limit', '1', '--json']);
      assert.deepEqual((JSON.parse(rest.stdout) as Activity[]).map((a) => a.id), [entries[1]?.id]);
      const more = await cli(t, ['projects', 'activity', 'ALPHA', '--limit', '1']);
      assert.match(more.stderr, new RegExp(`more: switchboard projects activity ALPHA --after ${first}`));
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /NOT_FOUND/);
    });
  });
}
