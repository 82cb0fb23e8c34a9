/** An agent that streams pieces of text a few milliseconds apart (previews, then coalesced output events). */
import type { AgentAdapter } from '../../src/core/ports/agent-adapter.ts';

export function streamingAgent(pieces: readonly string[], gapMs: number): AgentAdapter {
  return {
    info: { agentType: 'streamer', name: 'Streamer', description: 'streams text', capabilities: ['conversation'], metadata: {} },
    retry: { maxAttempts: 1, backoffMs: 0 },
    isAvailable: async () => true,
    async run(ctx) {
      for (const piece of pieces) {
        ctx.stream(piece);
        await ctx.sleep(gapMs);
      }
      return { result: 'done' };
    },
  };
}
