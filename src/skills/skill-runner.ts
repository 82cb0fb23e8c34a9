/**
 * Runs a skill's entrypoint: argv relative to the skill's folder (no shell), the
 * JSON input on stdin, stdout as the result (capped), the stderr tail on failure,
 * a time limit, an environment allow-list, and the whole process group killed on
 * abort or timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import type { SkillDefinition } from '../core/domain/skill.ts';
import type { SkillExecutor } from '../core/ports/skill-executor.ts';
import type { ToolResult } from '../core/ports/tool-gate.ts';
import type { JsonObject } from '../core/domain/json.ts';

/** Limits of a skill run. */
export interface SkillRunnerOptions {
  /** Per call (default: 60,000 ms). */
  readonly timeoutMs?: number;
  /** stdout kept as the result, in bytes (default: 64 KiB); the rest is dropped and the result says so. */
  readonly maxOutputBytes?: number;
  /** Variables passed through from the server's environment (default: PATH, HOME, LANG, TMPDIR). */
  readonly envAllow?: readonly string[];
  /** SIGTERM → SIGKILL grace period (default: 2,000 ms). */
  readonly killGraceMs?: number;
  /** The environment the allow-list picks from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const STDERR_TAIL = 2000;
/** Variables a skill gets when no allow-list is configured. */
export const DEFAULT_SKILL_ENV: readonly string[] = ['PATH', 'HOME', 'LANG', 'TMPDIR'];

/** The program and arguments to spawn, or why the entrypoint is refused. */
export async function resolveEntrypoint(
  dir: string,
  argv: readonly string[],
): Promise<{ ok: true; program: string; args: string[] } | { ok: false; error: string }> {
  const [first, ...args] = argv;
  if (first === undefined || first === '') return { ok: false, error: 'the skill has an empty entrypoint' };
  // Arguments stay inside the folder too: no absolute paths, no climbing out with `..`.
  for (const a of args) {
    if (isAbsolute(a) || a.split(/[\\/]/).includes('..')) return { ok: false, error: `entrypoint argument "${a}" points outside the skill folder` };
  }
  // A bare name (node, python3) comes from PATH; anything with a slash is a file of the skill.
  if (!first.includes('/') && !first.includes('\\')) return { ok: true, program: first, args };
  if (isAbsolute(first)) return { ok: false, error: 'the entrypoint must be relative to the skill folder' };
  let root: string;
  let program: string;
  try {
    root = await realpath(dir);
    program = await realpath(resolve(root, first));
  } catch {
    return { ok: false, error: `entrypoint ${first} does not exist` };
  }
  if (!program.startsWith(root + sep)) return { ok: false, error: `entrypoint ${first} points outside the skill folder` };
  return { ok: true, program, args };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Creates the executor of skill entrypoints. */
export function createSkillRunner(options: SkillRunnerOptions = {}): SkillExecutor {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxOutput = options.maxOutputBytes ?? 64 * 1024;
  const grace = options.killGraceMs ?? 2000;
  const source = options.env ?? process.env;
  const env: Record<string, string> = {};
  for (const k of options.envAllow ?? DEFAULT_SKILL_ENV) {
    const v = source[k];
    if (v !== undefined) env[k] = v;
  }

  return {
    async execute(skill: SkillDefinition, input: JsonObject, signal: AbortSignal): Promise<ToolResult> {
      signal.throwIfAborted();
      if (skill.entrypoint === null) return { ok: true, output: skill.instructions };
      const entry = await resolveEntrypoint(skill.dir, skill.entrypoint);
      if (!entry.ok) return entry;
      return new Promise<ToolResult>((resolvePromise, reject) => {
        const child = spawn(entry.program, entry.args, { cwd: skill.dir, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
        const chunks: Buffer[] = [];
        let kept = 0;
        let truncated = false;
        let stderrTail = '';
        let timedOut = false;
        let killTimer: ReturnType<typeof setTimeout> | undefined;
        const stop = (): void => {
          signalGroup(child, 'SIGTERM');
          killTimer ??= setTimeout(() => signalGroup(child, 'SIGKILL'), grace);
        };
        const timer = setTimeout(() => {
          timedOut = true;
          stop();
        }, timeoutMs);
        signal.addEventListener('abort', stop, { once: true });
        child.stdout.on('data', (chunk: Buffer) => {
          const room = maxOutput - kept;
          if (chunk.length > room) truncated = true;
          if (room > 0) {
            chunks.push(chunk.subarray(0, room));
            kept += Math.min(room, chunk.length);
          }
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
        });
        let settled = false;
        const finish = (outcome: () => void): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', stop);
          outcome();
        };
        child.on('error', (err) => finish(() => resolvePromise({ ok: false, error: `could not start ${entry.program}: ${err.message}` })));
        child.on('close', (code, sig) => {
          if (killTimer !== undefined) clearTimeout(killTimer);
          signalGroup(child, 'SIGKILL'); // grandchildren may outlive the leader
          finish(() => {
            if (signal.aborted) return reject(signal.reason);
            if (timedOut) return resolvePromise({ ok: false, error: `the skill timed out after ${timeoutMs} ms` });
            const stdout = Buffer.concat(chunks).toString('utf8');
            if (code === 0) {
              return resolvePromise({ ok: true, output: truncated ? `${stdout}\n[output truncated at ${maxOutput} bytes]` : stdout });
            }
            const why = sig !== null ? `was killed by ${sig}` : `exited with code ${code}`;
            resolvePromise({ ok: false, error: `the skill ${why}${stderrTail.trim() !== '' ? `: ${stderrTail.trim()}` : ''}` });
          });
        });
        child.stdin.on('error', () => undefined); // the program may exit without reading its input
        child.stdin.end(JSON.stringify(input));
      });
    },
  };
}
