/**
 * A command agent: runs a program (argv array, never a shell string) with the
 * prompt on stdin or as the last argument; stdout lines become `output` events,
 * the output is the result; exit code ≠ 0 fails with the stderr tail. Cancel,
 * timeout and shutdown stop the whole process group (SIGTERM, then SIGKILL).
 * Presets for coding CLIs, worktrees and stream parsing build on this.
 */
import { spawn } from 'node:child_process';
import { AgentError } from '../../core/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext, RetryPolicy } from '../../core/ports.ts';
import { terminateGroup } from './process-group.ts';

export interface CommandAgentOptions {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  /** Program and arguments, e.g. ['python3', './agent.py']. */
  readonly command: readonly string[];
  readonly promptVia: 'stdin' | 'arg';
  readonly cwd?: string;
  /** Environment variables passed through from the server's environment (allow-list; default PATH, HOME, LANG). */
  readonly envAllow?: readonly string[];
  /** SIGTERM → SIGKILL grace period (default: 10,000 ms). */
  readonly killGraceMs?: number;
  /** Output kept for the result, in bytes (default: 1 MiB); the rest is dropped. */
  readonly maxOutputBytes?: number;
  readonly retry?: RetryPolicy;
  readonly capabilities?: readonly string[];
}

const STDERR_TAIL = 2000;

export function createCommandAgent(options: CommandAgentOptions): AgentAdapter {
  const [program, ...baseArgs] = options.command;
  if (program === undefined) throw new Error(`Agent "${options.id}": command is empty`);
  const allow = options.envAllow ?? ['PATH', 'HOME', 'LANG', 'TMPDIR'];
  const maxOutput = options.maxOutputBytes ?? 1024 * 1024;
  const grace = options.killGraceMs ?? 10_000;

  return {
    info: {
      agentType: options.id,
      name: options.name ?? options.id,
      description: options.description ?? `Runs ${program}`,
      capabilities: options.capabilities ?? ['system_automation'],
      metadata: { kind: 'command', program },
    },
    retry: options.retry ?? { maxAttempts: 1, backoffMs: 1000 },
    async isAvailable() {
      return true;
    },
    run(ctx: AgentRunContext): Promise<AgentOutcome> {
      const env: Record<string, string> = {};
      for (const k of allow) {
        const v = process.env[k];
        if (v !== undefined) env[k] = v;
      }
      const args = options.promptVia === 'arg' ? [...baseArgs, ctx.prompt] : baseArgs;
      return new Promise<AgentOutcome>((resolve, reject) => {
        const child = spawn(program, args, {
          cwd: options.cwd,
          env,
          detached: true, // own process group, so cancel reaches grandchildren too
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let output = '';
        let stderrTail = '';
        let pending = '';
        const onAbort = (): void => void terminateGroup(child, grace);
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          if (output.length < maxOutput) output += chunk.slice(0, maxOutput - output.length);
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line.length > 0) ctx.emit({ type: 'output', message: line.slice(0, 4000) });
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
        });
        child.on('error', (err) => {
          ctx.signal.removeEventListener('abort', onAbort);
          reject(new AgentError(`Could not start ${program}: ${err.message}`));
        });
        child.on('close', (code, signal) => {
          ctx.signal.removeEventListener('abort', onAbort);
          if (pending.length > 0) ctx.emit({ type: 'output', message: pending.slice(0, 4000) });
          if (ctx.signal.aborted) return reject(ctx.signal.reason);
          if (code === 0) return resolve({ result: output, metadata: { exit_code: 0 } });
          const why = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
          reject(new AgentError(`${program} ${why}${stderrTail ? `: ${stderrTail.trim()}` : ''}`));
        });
        child.stdin.on('error', () => undefined); // the program may exit without reading its input
        child.stdin.end(options.promptVia === 'stdin' ? ctx.prompt : undefined);
      });
    },
  };
}
