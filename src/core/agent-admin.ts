/**
 * Agent administration: the contract of the agent registry as callers and the
 * admin service see it. Agent configurations are plain JSON objects in the shape
 * of `switchboard.config.yaml` (snake_case); secrets in them are only ever
 * `env:NAME` references, never values, so a definition can be shown and audited.
 */
import type { AuditInput, Caller, JsonObject } from './types.ts';

/**
 * Where an agent's definition comes from. `file` and `extra` (added by the
 * embedding program) are read-only over the API; `database` ones are managed
 * over it; `builtin` (echo) and `discovered` (zero-config) can be overridden by
 * a database definition of the same id.
 */
export type AgentSource = 'builtin' | 'discovered' | 'file' | 'extra' | 'database';

/** Whether an agent can run now, as last checked. */
export interface AgentStatus {
  readonly available: boolean;
  /** When the check ran (ms); null before the first check. */
  readonly checkedAt: number | null;
  /** Why it is unavailable (no secret values), when it is not. */
  readonly reason: string | null;
}

/** One agent as the admin API shows it. */
export interface AgentDefinition {
  readonly agentType: string;
  readonly kind: string;
  readonly source: AgentSource;
  readonly readOnly: boolean;
  /** The configuration as written (env: references, never resolved values); null for programmatic agents. */
  readonly config: JsonObject | null;
  readonly status: AgentStatus;
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

/** A database-defined agent as stored. */
export interface AgentConfigRecord {
  readonly id: string;
  readonly kind: string;
  readonly config: JsonObject;
  readonly updatedAt: number;
  readonly updatedBy: string | null;
}

/** Audit records written in the same transaction as a change. */
export interface AuditArg {
  readonly records: readonly AuditInput[];
  readonly now: number;
}

/** Database-defined agents (the store implements it). */
export interface AgentConfigStore {
  listAgentConfigs(): Promise<readonly AgentConfigRecord[]>;
  findAgentConfig(id: string): Promise<AgentConfigRecord | undefined>;
  /** Creates or replaces, with its audit records, in one transaction. */
  putAgentConfig(record: AgentConfigRecord, audit: AuditArg): Promise<void>;
  /** False when there was no such record (nothing is audited then). */
  deleteAgentConfig(id: string, audit: AuditArg): Promise<boolean>;
}

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

/** Agent definitions over the API: every call is authorized (`agent:configure`) and audited. */
export interface AgentAdmin {
  get(caller: Caller, agentType: string): Promise<AgentDefinition>;
  /** Creates or replaces a database definition; `created` is false for a replacement. */
  put(caller: Caller, agentType: string, config: JsonObject): Promise<{ readonly agent: AgentDefinition; readonly created: boolean }>;
  remove(caller: Caller, agentType: string): Promise<AgentDefinition>;
  check(caller: Caller, agentType: string): Promise<AgentDefinition>;
}

/** What removing a task's worktree did. */
export interface WorktreeRemoval {
  readonly taskId: string;
  readonly path: string;
  readonly branch: string;
  readonly branchDeleted: boolean;
}

/** Worktrees of finished tasks, removed on request by the task's owner or `admin:system`. */
export interface WorktreeAdmin {
  remove(caller: Caller, taskId: string, options: { readonly deleteBranch: boolean }): Promise<WorktreeRemoval>;
}
