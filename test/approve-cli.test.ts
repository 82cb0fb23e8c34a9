/**
 * `switchboard approve` against a real server: a followed task shows the pending
 * approval with the command to decide it, and the decision resumes the task.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_PROVIDERS, call, open, setUp } from './fixtures/skill-fixtures.ts';

const MAIN = fileURLToPath(new URL('../src/app/main.ts', import.meta.url));

after(async () => {
  for (const close of open.reverse()) await close();
});

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], url: string, token: string): ChildProcessWithoutNullStreams {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHBOARD_')) env[k] = v;
  const home = mkdtempSync(join(tmpdir(), 'sb-approve-home-'));
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...env, HOME: home, NO_COLOR: '1', SWITCHBOARD_URL: url, SWITCHBOARD_TOKEN: token },
  });
}

function finished(child: ChildProcessWithoutNullStreams, onStdout?: (seen: string) => void): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    onStdout?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The CLI is only a client here; approvals on both databases are covered by skill-approvals.test.ts.
for (const dialect of ['sqlite'] as const) {
  describe(`switchboard approve (${dialect})`, () => {
    it('shows the pending approval while following, and a denial resumes the task', async () => {
      const p = TOOL_PROVIDERS[0]!;
      const { t, agentType } = await setUp(dialect, p, [call('c1', 'deploy', { target: 'staging' }), { kind: 'text', text: 'Skipped the deploy.' }]);
      let taskId: string | undefined;
      let decided: Promise<CliResult> | undefined;
      const follow = finished(cli(['submit', agentType, 'Deploy', '--follow'], t.url, t.adminToken), (seen) => {
        const m = /approve with: switchboard approve ([0-9a-f-]{36})/.exec(seen);
        if (m !== null && decided === undefined) {
          taskId = m[1];
          decided = finished(cli(['approve', m[1] ?? '', '--deny', '--reason', 'not now'], t.url, t.adminToken));
        }
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
