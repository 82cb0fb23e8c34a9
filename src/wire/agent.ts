/** The wire model of agents: the listing entry (GET /api/runtime/agents) and an agent's definition (its administration). */
import { z } from 'zod';
import type { AgentDefinition, AgentInfo } from '../core/domain/agent.ts';
import { iso, jsonObject } from './primitives.ts';

export const agentView = z.object({
  agent_type: z.string(),
  name: z.string(),
  description: z.string(),
  available: z.boolean(),
  capabilities: z.array(z.string()),
  metadata: jsonObject,
});

export function agentToWire(a: AgentInfo): z.infer<typeof agentView> {
  return {
    agent_type: a.agentType,
    name: a.name,
    description: a.description,
    available: a.available,
    capabilities: [...a.capabilities],
    metadata: a.metadata,
  };
}

export const agentDefinitionView = z.object({
  agent_type: z.string(),
  kind: z.string(),
  source: z.enum(['builtin', 'discovered', 'file', 'extra', 'database']),
  read_only: z.boolean(),
  available: z.boolean(),
  checked_at: z.string().nullable(),
  unavailable_reason: z.string().nullable(),
  config: jsonObject.nullable().describe('As written: secrets appear only as env: references'),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});

export function agentDefinitionToWire(d: AgentDefinition): z.infer<typeof agentDefinitionView> {
  return {
    agent_type: d.agentType,
    kind: d.kind,
    source: d.source,
    read_only: d.readOnly,
    available: d.status.available,
    checked_at: iso(d.status.checkedAt),
    unavailable_reason: d.status.available ? null : d.status.reason,
    config: d.config,
    updated_at: iso(d.updatedAt),
    updated_by: d.updatedBy,
  };
}

/** DELETE /api/runtime/tasks/{task_id}/worktree: what was removed. */
export const worktreeView = z.object({
  task_id: z.string(),
  branch: z.string(),
  branch_deleted: z.boolean(),
  removed: z.literal(true),
});

/** GET /api/runtime/agents. */
export const agentList = z.array(agentView);
export type AgentView = z.infer<typeof agentView>;
export type AgentDefinitionView = z.infer<typeof agentDefinitionView>;
export type WorktreeView = z.infer<typeof worktreeView>;
