/**
 * Wraps an adapter with what the registry adds to every agent: its per-node
 * concurrency limit (a semaphore shared by every version of the agent, so a
 * replaced configuration does not reset the count), a time limit for kinds that
 * have none of their own, and availability from the registry's cached check
 * (listing agents never probes the network).
 */
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import type { AgentStatus } from '../../core/domain/agent.ts';
import type { Semaphore } from './semaphore.ts';

export interface LimitedAgentOptions {
  readonly semaphore: Semaphore;
  /** Applied here only when set: kinds with their own time limit (command, http) get undefined. */
  readonly timeoutMs: number | undefined;
  readonly status: () => AgentStatus;
}

export function limitedAgent(adapter: AgentAdapter, options: LimitedAgentOptions): AgentAdapter {
  const { semaphore, timeoutMs } = options;
  return {
    info: adapter.info,
    retry: adapter.retry,
    ...(adapter.allowedSkills !== undefined ? { allowedSkills: adapter.allowedSkills } : {}),
    async isAvailable() {
      const s = options.status();
      return s.checkedAt === null ? adapter.isAvailable() : s.available;
    },
    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      if (semaphore.isFull) {
        ctx.emit({
          type: 'log',
          message: `Waiting for a free slot of agent ${adapter.info.agentType} (limit ${semaphore.max ?? 0} at once on this node)`,
        });
      }
      const release = await semaphore.acquire(ctx.signal);
      try {
        return timeoutMs === undefined ? await adapter.run(ctx) : await runWithTimeout(adapter, ctx, timeoutMs);
      } finally {
        release();
      }
    },
  };
}

async function runWithTimeout(adapter: AgentAdapter, ctx: AgentRunContext, timeoutMs: number): Promise<AgentOutcome> {
  const timer = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([ctx.signal, timer]);
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer.addEventListener('abort', () => reject(new AgentError(`Agent ${adapter.info.agentType} timed out after ${timeoutMs} ms`)), { once: true });
  });
  timedOut.catch(() => undefined);
  return Promise.race([adapter.run({ ...ctx, signal }), timedOut]);
}
