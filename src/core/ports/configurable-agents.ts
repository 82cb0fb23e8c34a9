/** The ConfigurableAgents port: the registry of agents as administration changes it. */
import type { AgentConfigRecord, AgentDefinition, AgentStatus } from '../domain/agent.ts';
import type { JsonObject } from '../domain/json.ts';

/** The outcome of validating a configuration against the config schema. */
export type AgentConfigValidation =
  | { readonly ok: true; readonly kind: string; readonly config: JsonObject }
  | { readonly ok: false; readonly issues: readonly { readonly path: string; readonly message: string }[] };

/** An agent built from a record, ready to be installed (building may fail: bad paths, missing data dir). */
export interface PreparedAgent {
  readonly record: AgentConfigRecord;
}

/** The registry as the admin service changes it (the agents module implements it). */
export interface ConfigurableAgents {
  definition(agentType: string): AgentDefinition | undefined;
  /** Builds the adapter of a record without installing it; throws when it cannot be built. */
  prepare(record: AgentConfigRecord): PreparedAgent;
  /** Installs a prepared database agent: the next task of that type uses it. */
  install(prepared: PreparedAgent): void;
  /** Drops a database definition; a builtin or discovered agent of that id comes back. */
  uninstall(agentType: string): void;
  /** Checks availability now (key present and endpoint answering, binary on PATH, …) and caches it. */
  check(agentType: string): Promise<AgentStatus>;
}
