/**
 * An AgentAdapter that follows a script, step by step, under the test's control:
 * emit an event, report a phase, ask a question, hold until the test releases a
 * gate, sleep on the engine's timers, fail, succeed. It never sleeps on its own
 * and never polls, so with manual timers a test decides exactly when each step
 * happens, and it records each run (attempt, answers, where it is, how it ended)
 * for the test to assert on.
 */
import { AgentError } from '../domain/errors.ts';
import type { Json } from '../domain/json.ts';
import type { AgentAdapter, AgentEmission, AgentOutcome, AgentRunContext, RetryPolicy } from '../ports/agent-adapter.ts';

/** One step of a script. */
export type ScriptStep =
  | { readonly kind: 'emit'; readonly emission: AgentEmission }
  | { readonly kind: 'phase'; readonly phase: 'planning' | 'running'; readonly message?: string }
  | { readonly kind: 'ask'; readonly question: string }
  | { readonly kind: 'hold'; readonly gate: string }
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'fail'; readonly message: string; readonly retryable?: boolean; readonly retryAfterMs?: number }
  | { readonly kind: 'succeed'; readonly result: Json };

/** Builders of steps, so scripts read as sentences. */
export const step = {
  emit: (emission: AgentEmission): ScriptStep => ({ kind: 'emit', emission }),
  log: (message: string): ScriptStep => ({ kind: 'emit', emission: { type: 'log', message } }),
  progress: (progress: number): ScriptStep => ({ kind: 'emit', emission: { type: 'progress', progress } }),
  output: (message: string): ScriptStep => ({ kind: 'emit', emission: { type: 'output', message } }),
  phase: (phase: 'planning' | 'running', message?: string): ScriptStep => ({ kind: 'phase', phase, ...(message !== undefined ? { message } : {}) }),
  ask: (question: string): ScriptStep => ({ kind: 'ask', question }),
  /** Holds until the test calls `release(gate)` (or the run is aborted). */
  hold: (gate: string): ScriptStep => ({ kind: 'hold', gate }),
  /** Sleeps on the engine's timers (`ctx.sleep`): with manual timers, until the test advances them. */
  sleep: (ms: number): ScriptStep => ({ kind: 'sleep', ms }),
  fail: (message: string, options: { retryable?: boolean; retryAfterMs?: number } = {}): ScriptStep => ({ kind: 'fail', message, ...options }),
  succeed: (result: Json): ScriptStep => ({ kind: 'succeed', result }),
} as const;

/** Where a run is. */
export type ScriptedRunStatus = 'working' | 'asking' | 'holding' | 'sleeping' | 'succeeded' | 'failed' | 'aborted';

/** What the agent saw and did in one run (one attempt of one task). */
export interface ScriptedRun {
  readonly taskId: string;
  readonly attempt: number;
  readonly prompt: string;
  /** Answers received, in order. */
  readonly answers: string[];
  /** Index of the step being run (the script's length once it is done). */
  stepIndex: number;
  status: ScriptedRunStatus;
  /** The gate it holds at, while `holding`. */
  gate: string | undefined;
  /** The abort signal's reason, once aborted. */
  abortReason: unknown;
}

/** What picks the steps of a run: one script for every run, or one per attempt/task. */
export type Script = readonly ScriptStep[] | ((run: { readonly taskId: string; readonly attempt: number; readonly prompt: string }) => readonly ScriptStep[]);

export interface ScriptedAgentOptions {
  readonly agentType?: string;
  readonly script: Script;
  readonly retry?: Partial<RetryPolicy>;
}

/** The scripted agent, with its controls and what it recorded. */
export interface ScriptedAgent extends AgentAdapter {
  /** Every run so far, in the order they started. */
  readonly runs: readonly ScriptedRun[];
  /** The runs of one task, in attempt order. */
  runsOf(taskId: string): readonly ScriptedRun[];
  /** Opens `gate`: runs holding at it go on, and later holds at it pass at once. */
  release(gate: string): void;
  /** Runs currently holding at `gate`. */
  holding(gate: string): readonly ScriptedRun[];
}

export function createScriptedAgent(options: ScriptedAgentOptions): ScriptedAgent {
  const agentType = options.agentType ?? 'scripted';
  const runs: ScriptedRun[] = [];
  const open = new Set<string>();
  const waiters = new Map<string, Set<() => void>>();

  const holdAt = (gate: string, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (open.has(gate)) return resolve();
      const set = waiters.get(gate) ?? new Set<() => void>();
      waiters.set(gate, set);
      const onAbort = (): void => {
        set.delete(go);
        reject(signal.reason);
      };
      const go = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      set.add(go);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  async function perform(s: ScriptStep, ctx: AgentRunContext, run: ScriptedRun): Promise<AgentOutcome | undefined> {
    switch (s.kind) {
      case 'emit':
        ctx.emit(s.emission);
        return undefined;
      case 'phase':
        await ctx.setPhase(s.phase, s.message);
        return undefined;
      case 'ask':
        run.status = 'asking';
        run.answers.push(await ctx.ask(s.question));
        return undefined;
      case 'hold':
        run.status = 'holding';
        run.gate = s.gate;
        await holdAt(s.gate, ctx.signal);
        run.gate = undefined;
        return undefined;
      case 'sleep':
        run.status = 'sleeping';
        await ctx.sleep(s.ms);
        return undefined;
      case 'fail':
        throw new AgentError(s.message, { retryable: s.retryable ?? false, ...(s.retryAfterMs !== undefined ? { retryAfterMs: s.retryAfterMs } : {}) });
      case 'succeed':
        return { result: s.result };
    }
  }

  return {
    info: { agentType, name: agentType, description: 'Follows a test script', capabilities: ['testing'], metadata: {} },
    retry: { maxAttempts: options.retry?.maxAttempts ?? 1, backoffMs: options.retry?.backoffMs ?? 1000 },
    isAvailable: async () => true,

    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      const run: ScriptedRun = { taskId: ctx.taskId, attempt: ctx.attempt, prompt: ctx.prompt, answers: [], stepIndex: 0, status: 'working', gate: undefined, abortReason: undefined };
      runs.push(run);
      const steps = typeof options.script === 'function' ? options.script(run) : options.script;
      try {
        for (; run.stepIndex < steps.length; run.stepIndex++) {
          ctx.signal.throwIfAborted();
          const s = steps[run.stepIndex];
          if (s === undefined) break;
          const outcome = await perform(s, ctx, run);
          run.status = 'working';
          if (outcome !== undefined) {
            run.stepIndex += 1;
            run.status = 'succeeded';
            return outcome;
          }
        }
        throw new AgentError('The script ended without an outcome');
      } catch (err) {
        if (ctx.signal.aborted) {
          run.status = 'aborted';
          run.abortReason = ctx.signal.reason;
        } else run.status = 'failed';
        throw err;
      }
    },

    get runs() {
      return runs;
    },
    runsOf: (taskId) => runs.filter((r) => r.taskId === taskId),
    release(gate) {
      open.add(gate);
      const set = waiters.get(gate);
      waiters.delete(gate);
      for (const go of set ?? []) go();
    },
    holding: (gate) => runs.filter((r) => r.status === 'holding' && r.gate === gate),
  };
}
