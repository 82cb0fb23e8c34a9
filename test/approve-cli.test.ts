/**
 * `switchboard approve` against a real server: a followed task shows the pending
 * approval with the command to decide it, and the decision resumes the task.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { TOOL_PROVIDERS, call, open, setUp } from './fixtures/skill-fixtures.ts';
import { finished, spawnCli, type CliResult } from './helpers/cli-process.ts';

after(async () => {
  for (const close of open.reverse()) await close();
});

const cli = (args: readonly string[], url: string, token: string): ChildProcessWithoutNullStreams => spawnCli(args, { url, token });

// The CLI is only a client here; approvals on both databases are covered by skill-approvals.test.ts.
for (const dialect of ['sqlite'] as const) {
  describe(`switchboard approve (${dialect})`, () => {
    it('shows the pending approval while following, and a denial resumes the task', async () => {
      const p = TOOL_PROVIDERS[0]!;
      const { t, agentType } = await setUp(dialect, p, [call('c1', 'deploy', { target: 'staging' }), { kind: 'text', text: 'Skipped the deploy.' }]);
      let taskId: string | undefined;
      let decided: Promise<CliResult> | undefined;
      const follow = finished(cli(['submit', agentType, 'Deploy', '--follow'], t.url, t.adminToken), {
        onStdout: (seen) => {
          const m = /approve with: switchboard approve ([0-9a-f-]{36})/.exec(seen);
          if (m !== null && decided === undefined) {
            taskId = m[1];
            decided = finished(cli(['approve', m[1] ?? '', '--deny', '--reason', 'not now'], t.url, t.adminToken));
          }
        },
      });
      const followed = await follow;
      assert.ok(decided !== undefined, `the approval was shown; stdout:\n${followed.stdout}\nstderr:\n${followed.stderr}`);
      const denial = await decided;
      assert.equal(denial.code, 0, denial.stderr);
      assert.match(denial.stdout, /^Denied the call of task /);
      assert.equal(followed.code, 0, followed.stderr);
      assert.match(followed.stdout, /input: \{"target":"staging"\}/);
      assert.match(followed.stdout, /Denied by admin: not now/);
      assert.match(followed.stdout, /Skipped the deploy\./);

      const again = await finished(cli(['approve', taskId ?? ''], t.url, t.adminToken));
      assert.equal(again.code, 1);
      assert.match(again.stderr, /is not waiting for an approval \(APPROVAL_NOT_PENDING\)/);
    });
  });
}
