/** The AgentRegistry port: where agents come from. */
import type { AgentAdapter } from './agent-adapter.ts';

/** Where agents come from. */
export interface AgentRegistry {
  get(agentType: string): AgentAdapter | undefined;
  list(): readonly AgentAdapter[];
}
