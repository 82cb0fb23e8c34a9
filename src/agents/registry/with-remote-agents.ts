/**
 * The registry the engine reads when remote worker nodes may connect: ids with an
 * `@` (`agent@node`, `agent@*[k=v]`) come from the nodes' side, every other from the
 * local registry, and listing shows both. Only the remote side may leave a task to
 * another server (the one holding the node's link).
 */
import type { AgentRegistry } from '../../core/ports/agent-registry.ts';

export function withRemoteAgents(local: AgentRegistry, remote: AgentRegistry): AgentRegistry {
  return {
    get: (agentType) => (agentType.includes('@') ? remote.get(agentType) : local.get(agentType)),
    list: () => [...local.list(), ...remote.list()],
    claimable: (agentType) => !agentType.includes('@') || (remote.claimable?.(agentType) ?? true),
  };
}
