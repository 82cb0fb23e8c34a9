/**
 * A board test's world: a real clone with a bare `origin` on `main`, a local server
 * speaking the GitHub REST API, and a test server whose `editor` command agent
 * appends the prompt to files of the task's worktree (fixtures/edit-agent.mjs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DialectName } from './databases.ts';
import { startFakeGithub, type FakeGithub } from './fake-github.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import { recordSecret } from './log-capture.ts';

const EDIT_AGENT = fileURLToPath(new URL('../fixtures/edit-agent.mjs', import.meta.url));

export const git = (cwd: string, args: readonly string[]): string =>
  execFileSync('git', ['-C', cwd, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { encoding: 'utf8' });

export interface BoardWorld {
  readonly t: TestApp;
  readonly github: FakeGithub;
  readonly clone: string;
  readonly origin: string;
  close(): Promise<void>;
}

export async function startBoardWorld(dialect: DialectName, githubToken: string, env: Record<string, string> = {}): Promise<BoardWorld> {
  recordSecret(githubToken);
  const work = mkdtempSync(join(tmpdir(), 'sb-board-'));
  const origin = join(work, 'origin.git');
  const clone = join(work, 'clone');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  execFileSync('git', ['init', '-q', '-b', 'main', clone]);
  writeFileSync(join(clone, 'README.md'), '# rocket\n');
  git(clone, ['add', 'README.md']);
  git(clone, ['commit', '-q', '-m', 'init']);
  git(clone, ['remote', 'add', 'origin', origin]);
  git(clone, ['push', '-q', 'origin', 'main']);
  const github = await startFakeGithub(githubToken);
  const config = join(work, 'switchboard.config.yaml');
  writeFileSync(config, ['agents:', '  - id: editor', '    kind: command', `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(EDIT_AGENT)}]`, '    prompt_via: stdin', ''].join('\n'));
  const t = await startTestApp(dialect, { env: { SWITCHBOARD_CONFIG: config, GITHUB_TOKEN: githubToken, GITHUB_API_URL: github.url, ...env } });
  return {
    t,
    github,
    clone,
    origin,
    async close() {
      await t.close();
      await github.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
