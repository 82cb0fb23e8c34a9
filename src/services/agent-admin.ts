/**
 * Agent administration: authorize (`agent:configure`, denials audited) → validate
 * (the config file's schema, injected) → build → store with its `agent.configured`
 * audit record in one transaction → install in this node's registry. Other nodes
 * pick the change up on their next reload. Audit details name the kind and the
 * changed fields, never values (a value may be a command line or a URL).
 */
import { SwitchboardError } from '../core/domain/errors.ts';
import type { Guard } from '../core/ports/guard.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { AgentConfigRecord, AgentDefinition } from '../core/domain/agent.ts';
import type { AgentConfigStore } from '../core/ports/agent-config-store.ts';
import type { AgentConfigValidation, ConfigurableAgents, PreparedAgent } from '../core/ports/configurable-agents.ts';
import type { AgentAdmin } from '../core/services/agent-admin.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Caller } from '../core/domain/caller.ts';
import type { JsonObject } from '../core/domain/json.ts';

export interface AgentAdminDeps {
  readonly store: AgentConfigStore;
  readonly agents: ConfigurableAgents;
  /** The config file's schema for one agent (ids, kinds, env: references …). */
  readonly validate: (raw: unknown) => AgentConfigValidation;
  readonly clock: Clock;
  /** Decides `agent:configure` on `agent:<id>` (roles, grants, resource policies). */
  readonly guard: Guard;
}

/** Top-level fields whose values differ (added, removed or changed). */
function changedFields(before: JsonObject | null, after: JsonObject): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after[k])).sort();
}

export function createAgentAdmin(deps: AgentAdminDeps): AgentAdmin {
  const { store, agents } = deps;

  const needConfigure = (caller: Caller, agentType: string): Promise<void> => deps.guard.ensure(caller, 'agent:configure', { type: 'agent', id: agentType });

  function existing(agentType: string): AgentDefinition {
    const def = agents.definition(agentType);
    if (def === undefined) throw new SwitchboardError('NOT_FOUND', `No agent "${agentType}"`, { agent_type: agentType });
    return def;
  }

  function invalid(issues: readonly { path: string; message: string }[]): SwitchboardError {
    const first = issues[0];
    return new SwitchboardError('AGENT_CONFIG_INVALID', first ? `${first.path || '(config)'}: ${first.message}` : undefined, { issues });
  }

  const audit = (caller: Caller, agentType: string, action: string, details: JsonObject): AuditInput => ({
    eventType: 'agent.configured',
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: 'agent',
    resourceId: agentType,
    action,
    status: 'success',
    details,
  });

  return {
    async get(caller, agentType) {
      await needConfigure(caller, agentType);
      return existing(agentType);
    },

    async put(caller, agentType, raw) {
      await needConfigure(caller, agentType);
      if (raw['id'] !== undefined && raw['id'] !== agentType) {
        throw invalid([{ path: 'id', message: `must be "${agentType}" (the id in the path) or left out` }]);
      }
      const validated = deps.validate({ ...raw, id: agentType });
      if (!validated.ok) throw invalid(validated.issues);
      const before = agents.definition(agentType);
      if (before?.readOnly === true) {
        throw new SwitchboardError('AGENT_READ_ONLY', undefined, { agent_type: agentType, source: before.source });
      }
      const now = deps.clock.now();
      const record: AgentConfigRecord = { id: agentType, kind: validated.kind, config: validated.config, updatedAt: now, updatedBy: caller.principal.id };
      let prepared: PreparedAgent;
      try {
        prepared = agents.prepare(record);
      } catch (err) {
        throw invalid([{ path: '', message: err instanceof Error ? err.message : String(err) }]);
      }
      const created = before?.source !== 'database';
      const details: JsonObject = {
        kind: record.kind,
        created,
        changed_fields: changedFields(before?.config ?? null, record.config),
        ...(before !== undefined && before.source !== 'database' ? { overrides: before.source } : {}),
      };
      await store.putAgentConfig(record, { records: [audit(caller, agentType, created ? 'agent.create' : 'agent.update', details)], now });
      agents.install(prepared);
      await agents.check(agentType);
      return { agent: existing(agentType), created };
    },

    async remove(caller, agentType) {
      await needConfigure(caller, agentType);
      const def = existing(agentType);
      if (def.source !== 'database') {
        throw new SwitchboardError('AGENT_READ_ONLY', `Agent "${agentType}" is ${def.source === 'file' ? 'defined in the configuration file' : `${def.source}, not defined in the database`}`, {
          agent_type: agentType,
          source: def.source,
        });
      }
      const now = deps.clock.now();
      const removed = await store.deleteAgentConfig(agentType, {
        records: [audit(caller, agentType, 'agent.delete', { kind: def.kind, deleted: true })],
        now,
      });
      agents.uninstall(agentType);
      if (!removed) throw new SwitchboardError('NOT_FOUND', `No agent "${agentType}"`, { agent_type: agentType });
      return def;
    },

    async check(caller, agentType) {
      await needConfigure(caller, agentType);
      existing(agentType);
      await agents.check(agentType);
      return existing(agentType);
    },
  };
}
