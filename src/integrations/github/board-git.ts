/**
 * The git work behind board tasks, on a project's local clone: a worktree per task on
 * its `task/<key>` branch, its diff against the default branch (untracked files too,
 * through a throwaway index, so the worktree's own index is untouched), committing
 * what an agent left, and pushing to `origin`. Git is called with argv arrays (no
 * shell), without the repository's hooks, and a push's token travels only in that
 * one call's environment (never on a command line, in .git/config or in an error).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { BoardGit } from '../../core/ports/board-git.ts';

const GIT_ENV = ['PATH', 'HOME', 'LANG', 'TMPDIR'];
const TIMEOUT_MS = 120_000;
const SAFE_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;
/** Every call: no hooks of the repository (an agent could have written them), no prompts. */
const BASE_ARGS = ['-c', 'core.hooksPath=/dev/null', '-c', 'user.name=Switchboard', '-c', 'user.email=switchboard@localhost'];

interface Run {
  readonly stdout: string;
  readonly code: number;
  readonly stderr: string;
}

function run(cwd: string, args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}, maxBuffer = 16 * 1024 * 1024): Promise<Run> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', ...extraEnv };
  for (const k of GIT_ENV) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return new Promise((resolve) => {
    execFile('git', ['-C', cwd, ...BASE_ARGS, ...args], { env, timeout: TIMEOUT_MS, maxBuffer }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}

async function ok(cwd: string, args: readonly string[], env?: Readonly<Record<string, string>>): Promise<string> {
  const r = await run(cwd, args, env);
  if (r.code !== 0) throw new Error(`git ${args[0] ?? ''} failed: ${r.stderr.trim().slice(-500)}`);
  return r.stdout;
}

function checkRef(label: string, ref: string): string {
  if (!SAFE_REF.test(ref) || ref.includes('..')) throw new SwitchboardError('VALIDATION_FAILED', `${label} is not a usable git ref`, { field: label });
  return ref;
}

/** Removes credentials from git's messages: URL user info and the token itself. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}

/** `git diff --numstat` lines → files with counts (`-` counts: a binary file). */
function parseNumstat(text: string): { path: string; added: number; removed: number; binary: boolean }[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [added = '0', removed = '0', ...rest] = line.split('\t');
      const binary = added === '-' && removed === '-';
      return { path: rest.join('\t'), added: binary ? 0 : Number(added), removed: binary ? 0 : Number(removed), binary };
    });
}

export function createBoardGit(options: { readonly token?: string } = {}): BoardGit {
  /** The environment of a push: the token as an HTTP header through git's env-config, only for https remotes. */
  const pushEnv = (): Record<string, string> => {
    if (options.token === undefined || options.token === '') return {};
    const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
    return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
  };

  return {
    async ensureWorktree(repoPath, worktreePath, branch, base) {
      checkRef('branch', branch);
      checkRef('base', base);
      if (existsSync(join(worktreePath, '.git'))) return;
      await mkdir(dirname(worktreePath), { recursive: true, mode: 0o700 });
      const exists = (await run(repoPath, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).code === 0;
      await ok(repoPath, exists ? ['worktree', 'add', '--', worktreePath, branch] : ['worktree', 'add', '-b', branch, '--', worktreePath, base]);
    },

    async diff(worktreePath, base, { maxBytes }) {
      checkRef('base', base);
      const mergeBase = (await ok(worktreePath, ['merge-base', base, 'HEAD'])).trim();
      // A throwaway index holding everything in the worktree: untracked files show up, the real index is untouched.
      const dir = await mkdtemp(join(tmpdir(), 'sb-diff-'));
      try {
        const env = { GIT_INDEX_FILE: join(dir, 'index') };
        await ok(worktreePath, ['read-tree', 'HEAD'], env);
        await ok(worktreePath, ['add', '-A', '--', '.'], env);
        const files = parseNumstat(await ok(worktreePath, ['diff', '--cached', '--numstat', mergeBase], env));
        const full = await run(worktreePath, ['diff', '--cached', mergeBase], env, maxBytes + 1024 * 1024);
        const bytes = Buffer.from(full.stdout, 'utf8');
        const truncated = full.code !== 0 || bytes.length > maxBytes;
        return { files, diff: truncated ? bytes.subarray(0, maxBytes).toString('utf8') : full.stdout, truncated };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    async commitAll(worktreePath, message) {
      await ok(worktreePath, ['add', '-A', '--', '.']);
      if ((await run(worktreePath, ['diff', '--cached', '--quiet'])).code === 0) return false;
      await ok(worktreePath, ['commit', '-q', '-m', message]);
      return true;
    },

    async commitsAhead(worktreePath, branch, base) {
      const out = await ok(worktreePath, ['rev-list', '--count', `${checkRef('base', base)}..${checkRef('branch', branch)}`]);
      return Number(out.trim());
    },

    async push(worktreePath, branch) {
      checkRef('branch', branch);
      const r = await run(worktreePath, ['push', '--porcelain', 'origin', `refs/heads/${branch}:refs/heads/${branch}`], pushEnv());
      if (r.code !== 0) {
        const why = scrub(r.stderr.trim(), options.token === undefined ? [] : [options.token, Buffer.from(`x-access-token:${options.token}`).toString('base64')]);
        throw new SwitchboardError('GIT_PUSH_REFUSED', `git push refused: ${why.slice(-500) || `exit ${r.code}`}`, { branch });
      }
    },
  };
}
