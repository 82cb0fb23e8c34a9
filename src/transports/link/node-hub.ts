/**
 * The server's side of the node link: which remote worker nodes are connected, what
 * they offer, and the runs they hold. It contributes remote agents to the engine's
 * registry (`agent@node`, `agent@*`, `agent@*[k=v,…]`), so the engine keeps owning the
 * tasks (leases, events, state and audit stay in the server's database) and a node is
 * only where an attempt's agent runs.
 */
import type { NodeInfoLike } from '../../wire/node.ts';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../../core/domain/caller.ts';
import { AgentError, SwitchboardError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import type { AgentRegistry } from '../../core/ports/agent-registry.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { CacheInvalidations } from '../../core/ports/cache-invalidations.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { AnnouncedAgent, NodeRecord, NodeRegistry } from '../../core/ports/node-registry.ts';
import { LINK_CLOSE, LINK_PROTOCOL_VERSION, type NodeMessage, type ServerMessage } from './link-protocol.ts';
import { createClusterNodes, LISTED_AFTER_DISCONNECT_MS } from './cluster-nodes.ts';
import { RemoteRun } from './remote-run.ts';
import { parseRemoteTarget, selects, type RemoteTarget } from './remote-target.ts';

/** A connected socket as the hub sees it. */
export interface LinkSocket {
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

type Hello = Extract<NodeMessage, { type: 'hello' }>;

/** A node as listed: the wire's view of it, field by field. */
export type NodeView = NodeInfoLike;

export interface NodeHubOptions {
  readonly graceMs: number;
  readonly heartbeatMs: number;
  readonly maxAttempts: number;
  readonly backoffMs: number;
}

interface NodeEntry {
  readonly nodeId: string;
  readonly userId: string;
  readonly username: string;
  readonly deviceId: string;
  labels: Readonly<Record<string, string>>;
  agents: Hello['agents'];
  socket: LinkSocket | undefined;
  connectedSince: number;
  lastHeartbeat: number;
  readonly runs: Set<RemoteRun>;
}

/** Finished or abandoned run ids remembered for fencing (oldest forgotten first). */
const DEAD_RUNS_KEPT = 10_000;

export interface NodeHub {
  /** The remote agents, as a registry the engine reads. */
  readonly agents: AgentRegistry;
  /** Checks the caller may connect a node (`node:connect`, a trusted device); throws a SwitchboardError otherwise. */
  admit(caller: Caller, nodeId: string): Promise<void>;
  /** A node's link, after `admit`: returns what to do with its later messages and with its close. */
  attach(caller: Caller, hello: Hello, socket: LinkSocket): { onMessage(m: NodeMessage): void; onClose(): void };
  nodes(caller: Caller): Promise<readonly NodeView[]>;
  /** Starts sharing this server's nodes with the others of its database (when it has a registry). */
  start(): Promise<void>;
  /** Closes every link (the server stops). */
  close(): void;
}

export interface NodeHubDeps {
  /** A getter: the guard audits through the engine, which is built after the hub (the hub is part of its registry). */
  readonly guard: () => Guard;
  readonly logger: Logger;
  /** This server's node id. */
  readonly serverId: string;
  /** The cluster's registry (several servers on one PostgreSQL); absent: this server knows every node. */
  readonly registry?: NodeRegistry;
  /** Tells the other servers to read the registry again at once (a node connected or left). */
  readonly changes?: CacheInvalidations;
}

export function createNodeHub(deps: NodeHubDeps, options: NodeHubOptions): NodeHub {
  const nodes = new Map<string, NodeEntry>();
  const runs = new Map<string, RemoteRun>();
  const dead = new Set<string>();
  const now = (): number => Date.now();

  const watchdog = setInterval(() => {
    for (const n of nodes.values()) {
      if (n.socket !== undefined && now() - n.lastHeartbeat > 3 * options.heartbeatMs) {
        deps.logger.warn({ node: n.nodeId }, 'node missed three heartbeats: closing its link');
        n.socket.close(1001, 'heartbeat missed');
      }
    }
  }, options.heartbeatMs);
  watchdog.unref();

  function bury(runId: string): void {
    dead.add(runId);
    if (dead.size > DEAD_RUNS_KEPT) dead.delete(dead.values().next().value as string);
  }

  function senderOf(entry: NodeEntry): (m: ServerMessage) => void {
    const socket = entry.socket;
    return socket === undefined ? () => undefined : (m) => socket.send(m);
  }

  /** Called whenever a node connects: runs waiting for a node look again. */
  const arrivals = new Set<() => void>();

  const candidatesFor = (target: RemoteTarget): NodeEntry[] =>
    [...nodes.values()].filter((n) => n.socket !== undefined && n.agents.some((a) => a.agent_type === target.agent) && selects(target, n.nodeId, n.labels));

  const listedLocally = (n: NodeEntry, t: number): boolean => n.socket !== undefined || n.runs.size > 0 || t - n.lastHeartbeat < LISTED_AFTER_DISCONNECT_MS;
  const recordOf = (n: NodeEntry, t: number): NodeRecord => ({
    nodeId: n.nodeId,
    serverId: deps.serverId,
    userId: n.userId,
    username: n.username,
    deviceId: n.deviceId,
    labels: n.labels,
    agents: n.agents,
    connected: n.socket !== undefined,
    connectedSince: n.connectedSince,
    lastHeartbeat: n.lastHeartbeat,
    runningTasks: [...n.runs].map((r) => r.taskId),
    seenAt: t,
  });
  const cluster = createClusterNodes(
    {
      serverId: deps.serverId,
      logger: deps.logger,
      ...(deps.registry !== undefined ? { registry: deps.registry } : {}),
      ...(deps.changes !== undefined ? { changes: deps.changes } : {}),
      local: (t) => [...nodes.values()].filter((n) => listedLocally(n, t)).map((n) => recordOf(n, t)),
      linkedHere: (nodeId) => nodes.get(nodeId)?.socket !== undefined,
      onSynced: () => {
        for (const look of [...arrivals]) look();
      },
    },
    options.heartbeatMs,
  );
  const fitsElsewhere = (target: RemoteTarget): NodeRecord | undefined => cluster.fitsElsewhere(target);

  /** No node fits now: wait up to the grace for one to connect (a node restarting), then fail retryably. */
  function awaitCandidate(target: RemoteTarget, signal: AbortSignal): Promise<NodeEntry[]> {
    const where = target.kind === 'node' ? `node ${target.nodeId}` : 'a node matching the selector';
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        arrivals.delete(look);
        signal.removeEventListener('abort', aborted);
      };
      const look = (): void => {
        const found = candidatesFor(target);
        if (found.length > 0) {
          finish();
          resolve(found);
          return;
        }
        const there = fitsElsewhere(target);
        if (there === undefined) return;
        // Its link is on another server: give the attempt back, for that server to claim.
        finish();
        reject(new AgentError(`Node ${there.nodeId} is linked to server ${there.serverId}: the task goes there`, { retryable: true }));
      };
      const aborted = (): void => {
        finish();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new AgentError(`No connected node offers agent ${target.agent} (${where})`, { retryable: true }));
      }, options.graceMs);
      timer.unref?.();
      arrivals.add(look);
      signal.addEventListener('abort', aborted, { once: true });
      look();
    });
  }

  async function dispatch(target: RemoteTarget, ctx: AgentRunContext): Promise<AgentOutcome> {
    let candidates = candidatesFor(target);
    if (candidates.length === 0) {
      ctx.emit({ type: 'log', message: `Waiting up to ${options.graceMs} ms for a node offering ${target.agent}` });
      candidates = await awaitCandidate(target, ctx.signal);
    }
    // Least busy first; equal ones by id, so the choice is stable.
    candidates.sort((a, b) => a.runs.size - b.runs.size || a.nodeId.localeCompare(b.nodeId));
    const entry = candidates[0] as NodeEntry;
    const runId = `${ctx.taskId}:${ctx.attempt}:${randomUUID()}`;
    const run = new RemoteRun(runId, entry.nodeId, ctx, senderOf(entry), (r) => {
      runs.delete(r.runId);
      entry.runs.delete(r);
      bury(r.runId);
    });
    runs.set(runId, run);
    entry.runs.add(run);
    ctx.emit({ type: 'log', message: `Running on node ${entry.nodeId}`, data: { node_id: entry.nodeId, run_id: runId } });
    senderOf(entry)({
      type: 'run',
      run_id: runId,
      task_id: ctx.taskId,
      attempt: ctx.attempt,
      agent_type: target.agent,
      prompt: ctx.prompt,
      context: ctx.context,
      session_id: ctx.sessionId,
      project_id: ctx.projectId,
      has_memory: ctx.memory !== undefined,
      history: ctx.history.map((t) => ({ task_id: t.taskId, prompt: t.prompt, reply: t.reply, at: t.at })),
    });
    return run.outcome;
  }

  const adapters = new Map<string, AgentAdapter>();
  function adapterFor(agentType: string): AgentAdapter | undefined {
    const cached = adapters.get(agentType);
    if (cached !== undefined) return cached;
    const target = parseRemoteTarget(agentType);
    if (target === undefined) return undefined;
    const offered = (): AnnouncedAgent | undefined => {
      for (const n of [...nodes.values(), ...cluster.elsewhere()]) {
        const a = n.agents.find((x) => x.agent_type === target.agent);
        if (a !== undefined && selects(target, n.nodeId, n.labels)) return a;
      }
      return undefined;
    };
    const info = offered();
    const adapter: AgentAdapter = {
      info: {
        agentType,
        name: `${info?.name ?? target.agent} (${target.kind === 'node' ? `on ${target.nodeId}` : 'any matching node'})`,
        description: info?.description ?? `Agent ${target.agent} of a remote worker node`,
        capabilities: info?.capabilities ?? [],
        metadata: { remote: true, agent: target.agent, ...(target.kind === 'node' ? { node_id: target.nodeId } : { labels: target.labels }) },
      },
      retry: { maxAttempts: options.maxAttempts, backoffMs: options.backoffMs },
      isAvailable: async () => candidatesFor(target).length > 0 || fitsElsewhere(target) !== undefined,
      run: (ctx) => dispatch(target, ctx),
    };
    if (adapters.size < 10_000) adapters.set(agentType, adapter);
    return adapter;
  }

  function onRunMessage(entry: NodeEntry, m: Extract<NodeMessage, { type: 'run_message' }>): void {
    const run = runs.get(m.run_id);
    if (run === undefined || run.nodeId !== entry.nodeId) {
      // Fencing: the run ended, was given up after the grace, or is another node's.
      entry.socket?.send({ type: 'refused', run_id: m.run_id, code: 'NODE_RUN_STALE', message: dead.has(m.run_id) ? 'The run is over: its result is no longer taken' : 'No such run on this node' });
      if (dead.has(m.run_id)) deps.logger.warn({ node: entry.nodeId, run: m.run_id }, 'refused a write of a run that is over');
      return;
    }
    run.receive(m.seq, m.body);
  }

  function detach(entry: NodeEntry, socket: LinkSocket): void {
    if (entry.socket !== socket) return;
    entry.socket = undefined;
    deps.logger.warn({ node: entry.nodeId, runs: entry.runs.size }, 'node disconnected: its runs wait for it to come back');
    for (const run of entry.runs) run.startGrace(options.graceMs);
    void cluster.sync(true);
  }

  const agents: AgentRegistry = {
    get: (agentType) => adapterFor(agentType),
    claimable(agentType) {
      const target = parseRemoteTarget(agentType);
      // Claimed here when a node here fits, or none anywhere does (the attempt then waits for one, as on one server).
      return target === undefined || candidatesFor(target).length > 0 || fitsElsewhere(target) === undefined;
    },
    list() {
      const ids = new Set<string>();
      for (const n of [...nodes.values(), ...cluster.elsewhere()]) {
        if ('socket' in n && n.socket === undefined) continue;
        for (const a of n.agents) {
          ids.add(`${a.agent_type}@${n.nodeId}`);
          ids.add(`${a.agent_type}@*`);
        }
      }
      return [...ids].sort().flatMap((id) => adapterFor(id) ?? []);
    },
  };

  return {
    agents,

    async admit(caller, nodeId) {
      await deps.guard().ensure(caller, 'node:connect', { type: 'node', id: nodeId }, { why: 'connecting a worker node' });
      if (caller.deviceId === undefined || caller.deviceTrust !== 'trusted') {
        await deps.guard().record({
          eventType: 'permission.denied',
          userId: caller.principal.id,
          sessionId: caller.sessionId ?? null,
          resourceType: 'node',
          resourceId: nodeId,
          action: 'node.connect',
          status: 'denied',
          details: { reason: 'untrusted device', device_id: caller.deviceId ?? null, device_trust: caller.deviceTrust ?? null },
        });
        throw new SwitchboardError('NODE_DEVICE_UNTRUSTED', undefined, { device_id: caller.deviceId ?? null, device_trust: caller.deviceTrust ?? null });
      }
      // Linked here, or (its link here gone) to another server.
      const here = nodes.get(nodeId);
      const holder = here?.socket !== undefined ? here : cluster.elsewhere().find((r) => r.nodeId === nodeId);
      if (holder !== undefined && holder.deviceId !== caller.deviceId) throw new SwitchboardError('NODE_ID_TAKEN', undefined, { node_id: nodeId });
    },

    attach(caller, hello, socket) {
      if (hello.version !== LINK_PROTOCOL_VERSION) {
        socket.send({ type: 'error', code: 'NODE_PROTOCOL_UNSUPPORTED', message: `This server speaks link protocol ${LINK_PROTOCOL_VERSION}` });
        socket.close(LINK_CLOSE.protocol, 'protocol version');
        return { onMessage: () => undefined, onClose: () => undefined };
      }
      let entry = nodes.get(hello.node_id);
      if (entry !== undefined && entry.deviceId !== caller.deviceId && entry.runs.size > 0) {
        socket.send({ type: 'error', code: 'NODE_ID_TAKEN', message: 'Another device holds runs under this node id' });
        socket.close(LINK_CLOSE.idTaken, 'node id taken');
        return { onMessage: () => undefined, onClose: () => undefined };
      }
      const old = entry?.socket;
      if (entry === undefined || entry.deviceId !== caller.deviceId) {
        entry = { nodeId: hello.node_id, userId: caller.principal.id, username: caller.principal.username, deviceId: caller.deviceId ?? '', labels: {}, agents: [], socket: undefined, connectedSince: 0, lastHeartbeat: 0, runs: entry?.runs ?? new Set() };
        nodes.set(hello.node_id, entry);
      }
      const node = entry;
      node.socket = socket;
      old?.close(LINK_CLOSE.replaced, 'replaced by a new link of the same node');
      node.labels = hello.labels;
      node.agents = hello.agents;
      node.connectedSince = now();
      node.lastHeartbeat = now();
      const held = new Set(hello.runs);
      const resumed: { run_id: string; state: 'live' | 'dead'; acked_seq: number }[] = [];
      for (const id of held) {
        const run = runs.get(id);
        if (run !== undefined && run.nodeId === node.nodeId) {
          run.rebind((m) => socket.send(m));
          resumed.push({ run_id: id, state: 'live', acked_seq: run.ackedSeq });
        } else resumed.push({ run_id: id, state: 'dead', acked_seq: 0 });
      }
      // Runs the node no longer knows (it restarted): their attempt is lost; the engine tries again.
      for (const run of [...node.runs]) if (!held.has(run.runId)) run.fail(`Node ${node.nodeId} restarted and lost the run`);
      socket.send({ type: 'welcome', version: LINK_PROTOCOL_VERSION, node_id: node.nodeId, heartbeat_ms: options.heartbeatMs, runs: resumed });
      void deps.guard().record({
        eventType: 'resource.accessed',
        userId: caller.principal.id,
        sessionId: caller.sessionId ?? null,
        resourceType: 'node',
        resourceId: node.nodeId,
        action: 'node.connect',
        status: 'success',
        details: { device_id: node.deviceId, agents: node.agents.map((a) => a.agent_type), resumed_runs: resumed.filter((r) => r.state === 'live').length },
      }).catch((err: unknown) => deps.logger.error({ err, node: node.nodeId }, 'could not audit a node connect'));
      deps.logger.info({ node: node.nodeId, agents: node.agents.map((a) => a.agent_type), resumed: resumed.length }, 'node connected');
      for (const look of [...arrivals]) look();
      void cluster.sync(true);
      return {
        onMessage(m) {
          if (node.socket !== socket) return;
          node.lastHeartbeat = now();
          if (m.type === 'run_message') onRunMessage(node, m);
        },
        onClose: () => detach(node, socket),
      };
    },

    async nodes(caller) {
      await deps.guard().ensure(caller, 'node:read', { type: 'node', id: null }, { why: 'listing worker nodes' });
      return cluster.list();
    },

    start: () => cluster.sync(),

    close() {
      clearInterval(watchdog);
      cluster.close();
      for (const n of nodes.values()) n.socket?.close(LINK_CLOSE.shutdown, 'server shutting down');
    },
  };
}
