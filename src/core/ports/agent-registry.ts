/** The AgentRegistry port: where agents come from. */
import type { AgentAdapter } from './agent-adapter.ts';

/** Where agents come from. */
export interface AgentRegistry {
  get(agentType: string): AgentAdapter | undefined;
  list(): readonly AgentAdapter[];
  /**
   * Whether this node should claim a pending task of `agentType` now (absent: always).
   * False when another node of the cluster is where it can run (a remote worker node
   * linked to another server), so this one leaves it to that one.
   */
  claimable?(agentType: string): boolean;
}
