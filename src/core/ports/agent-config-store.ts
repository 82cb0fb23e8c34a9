/** The AgentConfigStore port: agents defined over the API, stored with their audit records. */
import type { AgentConfigRecord } from '../domain/agent.ts';
import type { AuditArg } from '../domain/audit.ts';

/** Database-defined agents (the store implements it). */
export interface AgentConfigStore {
  listAgentConfigs(): Promise<readonly AgentConfigRecord[]>;
  findAgentConfig(id: string): Promise<AgentConfigRecord | undefined>;
  /** Creates or replaces, with its audit records, in one transaction. */
  putAgentConfig(record: AgentConfigRecord, audit: AuditArg): Promise<void>;
  /** False when there was no such record (nothing is audited then). */
  deleteAgentConfig(id: string, audit: AuditArg): Promise<boolean>;
}
