/**
 * Fetches a skill from git: a shallow clone without submodules, run as an argv (no
 * shell), never prompting, with a time limit. Only https://, ssh://, scp-like
 * `git@host:path` and file:// URLs are accepted (no `ext::` or other transports).
 */
import { execFile } from 'node:child_process';
import { SwitchboardError } from '../core/domain/errors.ts';

const HTTPS = /^https:\/\/[^\s/@]+(@[^\s/]+)?\/\S+$/;
const SSH = /^ssh:\/\/[^\s/]+\/\S+$/;
const SCP = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s:][^\s]*$/;
const FILE = /^file:\/\/\/\S+$/;

/** Whether the URL is a remote repository or one on this server's filesystem; throws for anything else. */
export function gitUrlKind(url: string): 'remote' | 'local' {
  if (url.length > 2048 || /[\u0000-\u001f\u007f\s]/.test(url) || url.startsWith('-')) {
    throw new SwitchboardError('VALIDATION_FAILED', 'git_url: not a usable URL');
  }
  if (FILE.test(url)) return 'local';
  if (HTTPS.test(url) || SSH.test(url) || SCP.test(url)) return 'remote';
  throw new SwitchboardError('VALIDATION_FAILED', 'git_url: use https://, ssh://, git@host:path or file:///');
}

/** The URL with any user name or password removed, for audit records, logs and errors. */
export function redactGitUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^/@\s]*@/i, '$1');
}

/** A skill name suggested by the URL: the repository's last path segment without `.git`. */
export function repoBaseName(url: string): string {
  const last = url.replace(/[/]+$/, '').split(/[/:]/).pop() ?? '';
  return last.replace(/\.git$/, '');
}

/** Clones `url` into `dest` (which must not exist yet). */
export function gitClone(url: string, dest: string, timeoutMs: number): Promise<void> {
  gitUrlKind(url);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    // ssh must not stop to ask about a host key or a passphrase.
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    GIT_ALLOW_PROTOCOL: 'https:ssh:file',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const argv = ['-c', 'core.hooksPath=/dev/null', 'clone', '--depth', '1', '--no-recurse-submodules', '--quiet', '--', url, dest];
  return new Promise((resolve, reject) => {
    execFile('git', argv, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err === null) return resolve();
      const timedOut = (err as { killed?: boolean }).killed === true;
      const spawnFailed = (err as NodeJS.ErrnoException).code === 'ENOENT';
      const reason = timedOut
        ? `git clone did not finish within ${Math.round(timeoutMs / 1000)} s`
        : spawnFailed
          ? 'git is not installed on the server'
          : `git clone failed: ${firstLine(String(stderr)) || 'unknown error'}`;
      reject(new SwitchboardError('SKILL_SOURCE_FAILED', reason.replaceAll(url, redactGitUrl(url)), { source: 'git' }));
    });
  });
}

function firstLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return (line ?? '').slice(0, 300);
}
