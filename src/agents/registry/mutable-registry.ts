/**
 * The live agent registry: agents from the config file (or discovered, or built in,
 * or added by the embedding program), overlaid by agents defined in the database.
 * Installing or removing a database definition takes effect for the next task on
 * this node at once; `sync` brings in changes made on other nodes. Availability is
 * checked on demand and cached, so listing agents never waits for the network.
 */
import type { AgentAdapter } from '../../core/ports/agent-adapter.ts';
import type { AgentRegistry } from '../../core/ports/agent-registry.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { AgentConfigRecord, AgentDefinition, AgentSource, AgentStatus } from '../../core/domain/agent.ts';
import type { ConfigurableAgents, PreparedAgent } from '../../core/ports/configurable-agents.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import { limitedAgent } from './limited-agent.ts';
import { Semaphore } from './semaphore.ts';

/** An adapter with what the registry needs to run and check it. */
export interface BuiltAgent {
  readonly adapter: AgentAdapter;
  /** Checks that the agent can run now (key and endpoint, binary on PATH, …). */
  readonly probe: () => Promise<{ readonly available: boolean; readonly reason: string | null }>;
  /** Tasks of this agent at once on this node (default: no own limit). */
  readonly concurrency?: number;
  /** A time limit the registry enforces (for kinds without their own). */
  readonly timeoutMs?: number;
}

/** An agent not defined in the database. */
export interface BaseAgent extends BuiltAgent {
  readonly source: Exclude<AgentSource, 'database'>;
  readonly kind: string;
  readonly config: JsonObject | null;
}

/** Builds an agent from a database record (composition work: the app supplies it). */
export type AgentFactory = (record: AgentConfigRecord) => BuiltAgent;

interface Entry {
  readonly built: BuiltAgent;
  readonly wrapped: AgentAdapter;
  readonly source: AgentSource;
  readonly kind: string;
  readonly config: JsonObject | null;
  readonly record: AgentConfigRecord | undefined;
}

/** The registry the engine reads, the admin service changes, and the app keeps fresh. */
export interface MutableAgentRegistry extends AgentRegistry, ConfigurableAgents {
  definitions(): readonly AgentDefinition[];
  /** Re-checks every agent (at start and periodically). */
  checkAll(): Promise<void>;
  /** Makes the database overlay match `records` (changes made on other nodes). */
  sync(records: readonly AgentConfigRecord[]): void;
  /** Bumped by every install and uninstall: a reload read before a local change must not undo it. */
  readonly version: number;
}

const UNCHECKED: AgentStatus = Object.freeze({ available: false, checkedAt: null, reason: null });
const READ_ONLY: ReadonlySet<AgentSource> = new Set(['file', 'extra']);

export function createMutableAgentRegistry(deps: {
  readonly base: readonly BaseAgent[];
  readonly factory: AgentFactory;
  readonly clock: Clock;
  readonly logger: Logger;
}): MutableAgentRegistry {
  const semaphores = new Map<string, Semaphore>();
  const statuses = new Map<string, AgentStatus>();
  const base = new Map<string, Entry>();
  const overlay = new Map<string, Entry>();
  const preparedBuilds = new WeakMap<PreparedAgent, BuiltAgent>();
  let version = 0;

  function entryOf(id: string, built: BuiltAgent, source: AgentSource, kind: string, config: JsonObject | null, record?: AgentConfigRecord): Entry {
    let semaphore = semaphores.get(id);
    if (semaphore === undefined) {
      semaphore = new Semaphore(built.concurrency);
      semaphores.set(id, semaphore);
    }
    const wrapped = limitedAgent(built.adapter, {
      semaphore,
      timeoutMs: built.timeoutMs,
      status: () => statuses.get(id) ?? UNCHECKED,
    });
    return { built, wrapped, source, kind, config, record };
  }

  /** The concurrency limit follows whichever definition is in effect. */
  function activate(id: string): void {
    const e = overlay.get(id) ?? base.get(id);
    semaphores.get(id)?.setLimit(e?.built.concurrency);
  }

  for (const b of deps.base) {
    const id = b.adapter.info.agentType;
    if (base.has(id)) throw new Error(`Duplicate agent id "${id}"`);
    base.set(id, entryOf(id, b, b.source, b.kind, b.config));
  }

  const effective = (id: string): Entry | undefined => overlay.get(id) ?? base.get(id);
  const ids = (): string[] => [...new Set([...base.keys(), ...overlay.keys()])];

  function definitionOf(id: string, e: Entry): AgentDefinition {
    return {
      agentType: id,
      kind: e.kind,
      source: e.source,
      readOnly: READ_ONLY.has(e.source),
      config: e.config,
      status: statuses.get(id) ?? UNCHECKED,
      updatedAt: e.record?.updatedAt ?? null,
      updatedBy: e.record?.updatedBy ?? null,
    };
  }

  async function check(id: string): Promise<AgentStatus> {
    const e = effective(id);
    if (e === undefined) return UNCHECKED;
    let status: AgentStatus;
    try {
      const r = await e.built.probe();
      status = { available: r.available, reason: r.reason, checkedAt: deps.clock.now() };
    } catch (err) {
      status = { available: false, reason: err instanceof Error ? err.message : String(err), checkedAt: deps.clock.now() };
    }
    // A definition replaced while the probe ran keeps the newer result (or none).
    if (effective(id) === e) statuses.set(id, status);
    return status;
  }

  function prepare(record: AgentConfigRecord): PreparedAgent {
    const built = deps.factory(record);
    const prepared: PreparedAgent = { record };
    preparedBuilds.set(prepared, built);
    return prepared;
  }

  function install(prepared: PreparedAgent): void {
    const built = preparedBuilds.get(prepared);
    if (built === undefined) throw new Error('install() takes what prepare() returned');
    const { record } = prepared;
    overlay.set(record.id, entryOf(record.id, built, 'database', record.kind, record.config, record));
    statuses.delete(record.id);
    activate(record.id);
    version += 1;
  }

  function uninstall(id: string): void {
    if (!overlay.delete(id)) return;
    statuses.delete(id);
    activate(id);
    version += 1;
    if (base.has(id)) void check(id);
  }

  return {
    get version() {
      return version;
    },
    get: (id) => effective(id)?.wrapped,
    list: () => ids().flatMap((id) => effective(id)?.wrapped ?? []),
    definition(id) {
      const e = effective(id);
      return e === undefined ? undefined : definitionOf(id, e);
    },
    definitions: () => ids().flatMap((id) => {
      const e = effective(id);
      return e === undefined ? [] : [definitionOf(id, e)];
    }),
    prepare,
    install,
    uninstall,
    check,
    async checkAll() {
      await Promise.all(ids().map((id) => check(id)));
    },
    sync(records) {
      const wanted = new Map(records.map((r) => [r.id, r]));
      for (const id of [...overlay.keys()]) {
        if (!wanted.has(id)) {
          uninstall(id);
          deps.logger.info({ agent: id }, 'agent definition removed on another node');
        }
      }
      for (const r of records) {
        const shadowed = base.get(r.id);
        if (shadowed !== undefined && READ_ONLY.has(shadowed.source)) {
          deps.logger.warn({ agent: r.id }, 'a stored agent definition is ignored: the configuration file defines this id');
          continue;
        }
        const current = overlay.get(r.id)?.record;
        if (current !== undefined && current.updatedAt === r.updatedAt && JSON.stringify(current.config) === JSON.stringify(r.config)) continue;
        try {
          install(prepare(r));
          void check(r.id);
          deps.logger.info({ agent: r.id, kind: r.kind }, 'agent definition loaded from the database');
        } catch (err) {
          deps.logger.error({ agent: r.id, err: err instanceof Error ? err.message : String(err) }, 'a stored agent definition cannot be built; keeping the previous one');
        }
      }
    },
  };
}
