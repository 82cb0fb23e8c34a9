/** A fixed set of agents, by agent type. */
import type { AgentAdapter } from '../core/ports/agent-adapter.ts';
import type { AgentRegistry } from '../core/ports/agent-registry.ts';

export function createAgentRegistry(agents: readonly AgentAdapter[]): AgentRegistry {
  const byType = new Map<string, AgentAdapter>();
  for (const a of agents) {
    if (byType.has(a.info.agentType)) throw new Error(`Duplicate agent id "${a.info.agentType}"`);
    byType.set(a.info.agentType, a);
  }
  const list = [...byType.values()];
  return { get: (t) => byType.get(t), list: () => list };
}
