/** Agent administration as the runtime exposes it: define, replace, remove and check agents over the API. */
import type { AgentDefinition } from '../domain/agent.ts';
import type { Caller } from '../domain/caller.ts';
import type { JsonObject } from '../domain/json.ts';

/** Agent definitions over the API: every call is authorized (`agent:configure`) and audited. */
export interface AgentAdmin {
  get(caller: Caller, agentType: string): Promise<AgentDefinition>;
  /** Creates or replaces a database definition; `created` is false for a replacement. */
  put(caller: Caller, agentType: string, config: JsonObject): Promise<{ readonly agent: AgentDefinition; readonly created: boolean }>;
  remove(caller: Caller, agentType: string): Promise<AgentDefinition>;
  check(caller: Caller, agentType: string): Promise<AgentDefinition>;
}
