/**
 * A command agent: runs a program (argv array, never a shell string) with the
 * prompt on stdin or as an argument, in a working directory (optionally a fresh
 * git worktree prepared per task). Its stdout lines go through a stream parser
 * (Claude Code / Codex JSON, or plain lines) into task events; exit code ≠ 0
 * fails with the stderr tail. Cancel, timeout and shutdown stop the whole
 * process group (SIGTERM, then SIGKILL). Output and events are capped.
 */
import { spawn } from 'node:child_process';
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentEmission, AgentOutcome, AgentRunContext, RetryPolicy } from '../../core/ports/agent-adapter.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import { terminateGroup } from './process-group.ts';
import { buildArgs, findOnPath } from './presets.ts';
import { createStreamParser } from './stream-parsers/index.ts';
import type { StreamParserId } from './stream-parsers/types.ts';

/** Where a task runs: prepared before the spawn (e.g. a git worktree); `metadata` goes into the outcome. Undefined: the agent's own cwd. */
export type PrepareWorkdir = (taskId: string) => Promise<{ readonly cwd: string; readonly metadata: JsonObject } | undefined>;

export interface CommandAgentOptions {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  /** Program and arguments, e.g. ['python3', './agent.py']; `{prompt}` in an argument marks where an `arg` prompt goes. */
  readonly command: readonly string[];
  readonly promptVia: 'stdin' | 'arg';
  readonly cwd?: string;
  /** Environment variables passed through from the server's environment (allow-list; default PATH, HOME, LANG, TMPDIR). */
  readonly envAllow?: readonly string[];
  /** SIGTERM → SIGKILL grace period (default: 10,000 ms). */
  readonly killGraceMs?: number;
  /** Output kept for the result and emitted as events, in characters (default: 1 Mi); the rest is dropped. */
  readonly maxOutputBytes?: number;
  /** Per-task time limit; the process group is killed and the task fails (default: none). */
  readonly timeoutMs?: number;
  /** How stdout is read (default: plain lines). */
  readonly parser?: StreamParserId;
  /** Prepares a per-task working directory (overrides `cwd`). */
  readonly prepareWorkdir?: PrepareWorkdir;
  readonly retry?: RetryPolicy;
  readonly capabilities?: readonly string[];
  readonly metadata?: JsonObject;
  /** Where allow-listed variables (and PATH, to find the program) come from (default: process.env). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

const STDERR_TAIL = 2000;
/** The environment passed when no allow-list is configured. */
export const DEFAULT_ENV: readonly string[] = ['PATH', 'HOME', 'LANG', 'TMPDIR'];

export function createCommandAgent(options: CommandAgentOptions): AgentAdapter {
  const [program, ...baseArgs] = options.command;
  if (program === undefined) throw new Error(`Agent "${options.id}": command is empty`);
  const allow = options.envAllow ?? DEFAULT_ENV;
  const maxOutput = options.maxOutputBytes ?? 1024 * 1024;
  const grace = options.killGraceMs ?? 10_000;

  const spawnRun = (ctx: AgentRunContext, cwd: string | undefined, extra: JsonObject): Promise<AgentOutcome> => {
    const env: Record<string, string> = {};
    for (const k of allow) {
      const v = (options.environment ?? process.env)[k];
      if (v !== undefined) env[k] = v;
    }
    const args = buildArgs(baseArgs, options.promptVia, ctx.prompt);
    return new Promise<AgentOutcome>((resolve, reject) => {
      const child = spawn(program, args, {
        cwd,
        env,
        detached: true, // own process group, so cancel reaches grandchildren too
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      let emitted = 0;
      let truncated = false; // the result lost output
      let eventsCapped = false; // output events were dropped
      let stderrTail = '';
      let pending = '';
      let timedOut = false;
      // Output events past the cap are dropped (one log says so); logs are short and always pass.
      const emit = (e: AgentEmission): void => {
        if (e.type === 'output') {
          emitted += e.message?.length ?? 0;
          if (emitted > maxOutput) {
            if (!eventsCapped) ctx.emit({ type: 'log', message: `output truncated after ${maxOutput} characters` });
            eventsCapped = true;
            return;
          }
        }
        ctx.emit(e);
      };
      const parser = createStreamParser(options.parser ?? 'plain', emit);
      const stop = (): void => void terminateGroup(child, grace);
      ctx.signal.addEventListener('abort', stop, { once: true });
      const timer =
        options.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              stop();
            }, options.timeoutMs)
          : undefined;
      const cleanup = (): void => {
        ctx.signal.removeEventListener('abort', stop);
        if (timer !== undefined) clearTimeout(timer);
      };
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const room = maxOutput - output.length;
        if (chunk.length > room) truncated = true;
        if (room > 0) output += chunk.slice(0, room);
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) parser.line(line.replace(/\r$/, ''));
        if (pending.length > maxOutput) {
          parser.line(pending.slice(0, maxOutput)); // a runaway line without a newline
          pending = '';
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
      });
      child.on('error', (err) => {
        cleanup();
        reject(new AgentError(`Could not start ${program}: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        cleanup();
        if (pending.length > 0) parser.line(pending);
        const parsed = parser.finish();
        if (ctx.signal.aborted) return reject(ctx.signal.reason);
        if (timedOut) return reject(new AgentError(`${program} timed out after ${options.timeoutMs} ms`));
        if (code === 0 && parsed.error === undefined) {
          const metadata: JsonObject = { exit_code: 0, ...parsed.metadata, ...extra };
          if (truncated || eventsCapped) metadata['output_truncated'] = true;
          return resolve({ result: parsed.result ?? output, metadata });
        }
        if (code === 0) return reject(new AgentError(parsed.error ?? `${program} failed`));
        const why = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
        reject(new AgentError(`${program} ${why}${stderrTail ? `: ${stderrTail.trim()}` : ''}`));
      });
      child.stdin.on('error', () => undefined); // the program may exit without reading its input
      child.stdin.end(options.promptVia === 'stdin' ? ctx.prompt : undefined);
    });
  };

  return {
    info: {
      agentType: options.id,
      name: options.name ?? options.id,
      description: options.description ?? `Runs ${program}`,
      capabilities: options.capabilities ?? ['system_automation'],
      metadata: { kind: 'command', program, ...options.metadata },
    },
    retry: options.retry ?? { maxAttempts: 1, backoffMs: 1000 },
    // Looked up on the server's PATH, the one the child gets when PATH is allow-listed.
    isAvailable: () => findOnPath(program, (options.environment ?? process.env)['PATH']),
    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      let cwd = options.cwd;
      let extra: JsonObject = {};
      if (options.prepareWorkdir) {
        let prepared: Awaited<ReturnType<PrepareWorkdir>>;
        try {
          prepared = await options.prepareWorkdir(ctx.taskId);
        } catch (err) {
          throw new AgentError(`Could not prepare the working directory: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (prepared !== undefined) {
          cwd = prepared.cwd;
          extra = prepared.metadata;
          ctx.emit({ type: 'log', message: `working directory ${cwd}`, data: prepared.metadata });
        }
        if (ctx.signal.aborted) throw ctx.signal.reason;
      }
      return spawnRun(ctx, cwd, extra);
    },
  };
}
