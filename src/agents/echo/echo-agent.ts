/**
 * The built-in `echo` agent: returns the prompt. For tests and demos it honours
 * `context.delay_ms` (sleeps, cancellably, with progress events every
 * `context.progress_interval_ms`, default 100 ms), `context.fail` (fails with that
 * message), `context.ask` (asks that question; the result carries the answer) and
 * `context.plan` (reports `planning` with that message for the delay, then works) and
 * `context.stream_ms` (streams the prompt word by word, one word every that many ms).
 */
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import type { Json } from '../../core/domain/json.ts';

const MAX_DELAY_MS = 24 * 60 * 60 * 1000;

function numberOr(value: Json | undefined, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

export function createEchoAgent(options: { readonly maxAttempts?: number } = {}): AgentAdapter {
  return {
    info: {
      agentType: 'echo',
      name: 'Echo',
      description: 'Returns the prompt. Context: delay_ms, progress_interval_ms, fail, ask, plan, stream_ms.',
      capabilities: ['conversation', 'testing'],
      metadata: { kind: 'echo' },
    },
    retry: { maxAttempts: options.maxAttempts ?? 3, backoffMs: 1000 },
    isAvailable: async () => true,
    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      const delay = numberOr(ctx.context['delay_ms'], 0, 0, MAX_DELAY_MS);
      const interval = numberOr(ctx.context['progress_interval_ms'], 100, 10, MAX_DELAY_MS);
      const plan = ctx.context['plan'];
      const plans = typeof plan === 'string' && plan.length > 0;
      if (plans) await ctx.setPhase('planning', plan);
      for (let elapsed = 0; elapsed < delay; ) {
        const step = Math.min(interval, delay - elapsed);
        await ctx.sleep(step);
        elapsed += step;
        ctx.emit({ type: 'progress', progress: (elapsed / delay) * 100, message: `${elapsed}/${delay} ms` });
      }
      if (plans) await ctx.setPhase('running');
      const streamMs = ctx.context['stream_ms'];
      if (typeof streamMs === 'number' && Number.isFinite(streamMs)) {
        const pause = numberOr(streamMs, 0, 0, 60_000);
        for (const word of ctx.prompt.split(/(?<=\s)/)) {
          ctx.stream(word);
          if (pause > 0) await ctx.sleep(pause);
        }
      }
      const fail = ctx.context['fail'];
      if (typeof fail === 'string' && fail.length > 0) throw new AgentError(fail);
      const question = ctx.context['ask'];
      if (typeof question === 'string' && question.length > 0) {
        const answer = await ctx.ask(question);
        return { result: { prompt: ctx.prompt, answer } };
      }
      return { result: ctx.prompt };
    },
  };
}
