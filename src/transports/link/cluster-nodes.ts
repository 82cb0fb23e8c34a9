/**
 * The worker nodes of the whole cluster, for the node hub: this server writes the
 * nodes whose link it holds to the shared registry and reads the other servers'
 * (every few seconds, and at once when one tells of a change), so each server lists
 * every node and leaves a node's tasks to the server holding its link. Without a
 * registry (SQLite: one server), the hub's own nodes are all there is.
 */
import type { NodeInfoLike } from '../../wire/node.ts';
import type { CacheInvalidations } from '../../core/ports/cache-invalidations.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { NodeRecord, NodeRegistry } from '../../core/ports/node-registry.ts';
import { selects, type RemoteTarget } from './remote-target.ts';

/** How long a disconnected node stays listed. */
export const LISTED_AFTER_DISCONNECT_MS = 10 * 60_000;

export interface ClusterNodesDeps {
  readonly serverId: string;
  readonly logger: Logger;
  readonly registry?: NodeRegistry;
  /** Tells the other servers to read the registry again at once (a node connected or left). */
  readonly changes?: CacheInvalidations;
  /** This server's nodes to write (those still listed), as of `t`. */
  readonly local: (t: number) => readonly NodeRecord[];
  /** True while the node's link is held here (then another server's row of it is old). */
  readonly linkedHere: (nodeId: string) => boolean;
  /** After each read: runs waiting for a node look again. */
  readonly onSynced: () => void;
}

export interface ClusterNodes {
  /** A connected node of another server the target may run on. */
  fitsElsewhere(target: RemoteTarget): NodeRecord | undefined;
  /** The other servers' connected nodes, as last read. */
  elsewhere(): readonly NodeRecord[];
  /** Writes and reads now; `announce` also tells the other servers. */
  sync(announce?: boolean): Promise<void>;
  /** Every server's nodes as listed (read fresh from the registry). */
  list(): Promise<readonly NodeInfoLike[]>;
  close(): void;
}

export function createClusterNodes(deps: ClusterNodesDeps, heartbeatMs: number): ClusterNodes {
  const { registry } = deps;
  const syncMs = Math.min(heartbeatMs, 2_000);
  // Another server's row counts while that server refreshes it.
  const staleMs = 3 * syncMs + 2_000;
  let others: readonly NodeRecord[] = [];
  const live = (rows: readonly NodeRecord[], t: number): readonly NodeRecord[] => rows.filter((r) => r.serverId !== deps.serverId && r.connected && t - r.seenAt < staleMs && !deps.linkedHere(r.nodeId));

  let syncing: Promise<void> | undefined;
  let syncAgain = false;
  let announceNext = false;
  /** One at a time; asked again meanwhile, once more right after. */
  function sync(announce = false): Promise<void> {
    if (registry === undefined) return Promise.resolve();
    if (announce) announceNext = true;
    if (syncing !== undefined) {
      syncAgain = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        syncAgain = false;
        const announcing = announceNext;
        announceNext = false;
        const t = Date.now();
        try {
          await registry.publish(deps.local(t));
          if (announcing) deps.changes?.publish({ kind: 'nodes' });
          others = live(await registry.list(t - staleMs), t);
          await registry.prune(t - LISTED_AFTER_DISCONNECT_MS);
        } catch (err) {
          deps.logger.warn({ err }, 'could not share worker nodes with the other servers; trying again');
        }
        deps.onSynced();
      } while (syncAgain);
    })().finally(() => {
      syncing = undefined;
    });
    return syncing;
  }
  const timer = registry === undefined ? undefined : setInterval(() => void sync(), syncMs);
  timer?.unref();
  const unsubscribe = deps.changes?.subscribe((c) => {
    if (c.kind === 'nodes') void sync();
  });

  return {
    fitsElsewhere: (target) => others.find((r) => r.agents.some((a) => a.agent_type === target.agent) && selects(target, r.nodeId, r.labels)),
    elsewhere: () => others,
    sync,
    async list() {
      const t = Date.now();
      const mine = deps.local(t);
      const theirs = registry === undefined ? [] : (await registry.list(t - LISTED_AFTER_DISCONNECT_MS)).filter((r) => r.serverId !== deps.serverId);
      // What is listed is what routing goes by: no task is claimed here for a node shown on another server.
      if (registry !== undefined) others = live(theirs, t);
      // A node linked here now wins over an old row of it; otherwise the connected, then the newest row.
      const byId = new Map<string, NodeRecord>();
      for (const r of [...theirs, ...mine]) {
        const known = byId.get(r.nodeId);
        if (known === undefined || (r.connected && !known.connected) || (r.connected === known.connected && r.seenAt >= known.seenAt)) byId.set(r.nodeId, r);
      }
      return [...byId.values()]
        .sort((a, b) => a.nodeId.localeCompare(b.nodeId))
        .map((r) => {
          const mineNow = r.serverId === deps.serverId;
          const connected = r.connected && (mineNow || t - r.seenAt < staleMs);
          // Another server's heartbeat time is as old as its last write.
          const late = t - r.lastHeartbeat > 2 * heartbeatMs + (mineNow ? 0 : syncMs);
          return {
            nodeId: r.nodeId,
            serverId: r.serverId,
            userId: r.userId,
            username: r.username,
            deviceId: r.deviceId,
            labels: r.labels,
            agents: r.agents.map((a) => a.agent_type),
            connected,
            connectedSince: r.connectedSince,
            lastHeartbeat: r.lastHeartbeat,
            runningTasks: r.runningTasks,
            health: !connected ? 'disconnected' : late ? 'late' : 'ok',
          };
        });
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
      unsubscribe?.();
    },
  };
}
