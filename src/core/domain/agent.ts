/**
 * Agents as callers and administrators see them: listing info, definitions, availability, stored configurations.
 */
import type { JsonObject } from './json.ts';

/** What an agent can do, as shown to callers. */
export interface AgentInfo {
  readonly agentType: string;
  readonly name: string;
  readonly description: string;
  readonly available: boolean;
  readonly capabilities: readonly string[];
  readonly metadata: JsonObject;
}

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
