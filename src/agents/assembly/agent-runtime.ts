/**
 * Assembles the agent registry: config-file agents (or discovered ones when the file
 * defines none), the built-in echo and programmatic agents, overlaid by agents
 * stored in the database; and the two timers that keep it fresh (database reload for
 * changes made on other nodes, availability checks). The admin service over it is
 * built by the composition root.
 */
import { agentConfigSchema, type AgentConfig } from '../../config/schema.ts';
import type { ResolvedConfig } from '../../config/load-config.ts';
import type { AgentConfigStore } from '../../core/ports/agent-config-store.ts';
import type { AgentConfigValidation } from '../../core/ports/configurable-agents.ts';
import type { AgentAdapter } from '../../core/ports/agent-adapter.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import { createEchoAgent } from '../echo/echo-agent.ts';
import { createMutableAgentRegistry, type BaseAgent, type MutableAgentRegistry } from '../registry/mutable-registry.ts';
import { buildAgent } from './build-agents.ts';
import type { PrepareWorkdir } from '../command/command-agent.ts';
import { discoverAgents } from './discover-agents.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface AgentRuntime {
  readonly registry: MutableAgentRegistry;
  /** Starts the reload and re-check timers. */
  startTimers(): void;
  stopTimers(): void;
}

export interface AgentRuntimeDeps {
  readonly config: ResolvedConfig;
  readonly store: AgentConfigStore;
  /** Values of `env:` references, PATH for discovery and availability (default: process.env). */
  readonly env: Env;
  readonly extraAgents: readonly AgentAdapter[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where a command agent runs a board task's execution (its worktree); see BuildAgentsOptions. */
  readonly boardWorkdir?: PrepareWorkdir;
}

/** The config schema for one agent, as the admin service wants it. */
export function validateAgentConfig(raw: unknown): AgentConfigValidation {
  const parsed = agentConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, kind: parsed.data.kind, config: parsed.data as unknown as JsonObject };
  return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}

export async function createAgentRuntime(deps: AgentRuntimeDeps): Promise<AgentRuntime> {
  const { config, env, logger } = deps;
  const options = { dataDir: config.dataDir, ...(deps.boardWorkdir !== undefined ? { boardWorkdir: deps.boardWorkdir } : {}) };
  const discovered: AgentConfig[] =
    config.agents.length === 0 && config.discoverAgents ? await discoverAgents(env, logger) : [];
  const fromConfig = (c: AgentConfig, source: 'file' | 'discovered'): BaseAgent => ({
    ...buildAgent(c, env, options),
    source,
    kind: c.kind,
    config: c as unknown as JsonObject,
  });
  const base: BaseAgent[] = [
    ...config.agents.map((c) => fromConfig(c, 'file')),
    ...discovered.map((c) => fromConfig(c, 'discovered')),
  ];
  if (!base.some((b) => b.adapter.info.agentType === 'echo')) {
    const echo = createEchoAgent();
    base.unshift({ adapter: echo, probe: async () => ({ available: true, reason: null }), source: 'builtin', kind: 'echo', config: null });
  }
  for (const adapter of deps.extraAgents) {
    base.push({
      adapter,
      probe: async () => ({ available: await adapter.isAvailable(), reason: null }),
      source: 'extra',
      kind: typeof adapter.info.metadata['kind'] === 'string' ? adapter.info.metadata['kind'] : 'custom',
      config: null,
    });
  }

  const registry = createMutableAgentRegistry({
    base,
    factory: (record) => buildAgent(agentConfigSchema.parse(record.config), env, options),
    clock: deps.clock,
    logger,
  });
  registry.sync(await deps.store.listAgentConfigs());
  await registry.checkAll();

  const timers: NodeJS.Timeout[] = [];
  return {
    registry,
    startTimers() {
      const reload = setInterval(() => {
        const before = registry.version;
        deps.store.listAgentConfigs().then(
          // A change made here while the query ran is newer than what it read: the next reload catches up.
          (records) => {
            if (registry.version === before) registry.sync(records);
          },
          (err: unknown) => logger.error({ err }, 'reloading agent definitions failed; will retry'),
        );
      }, config.agentReloadMs);
      const recheck = setInterval(() => void registry.checkAll(), config.agentCheckMs);
      for (const t of [reload, recheck]) {
        t.unref();
        timers.push(t);
      }
    },
    stopTimers() {
      for (const t of timers.splice(0)) clearInterval(t);
    },
  };
}
