/** The NodeRegistry over Kysely: one row per node, written by the server holding its link. */
import type { Kysely } from 'kysely';
import type { NodeRecord, NodeRegistry } from '../core/ports/node-registry.ts';
import type { Database, WorkerNodesTable } from './schema.ts';

const toRow = (r: NodeRecord): WorkerNodesTable => ({
  node_id: r.nodeId,
  server_id: r.serverId,
  user_id: r.userId,
  username: r.username,
  device_id: r.deviceId,
  labels: JSON.stringify(r.labels),
  agents: JSON.stringify(r.agents),
  connected: r.connected ? 1 : 0,
  connected_since: r.connectedSince,
  last_heartbeat: r.lastHeartbeat,
  running_tasks: JSON.stringify(r.runningTasks),
  seen_at: r.seenAt,
});

const fromRow = (r: WorkerNodesTable): NodeRecord => ({
  nodeId: r.node_id,
  serverId: r.server_id,
  userId: r.user_id,
  username: r.username,
  deviceId: r.device_id,
  labels: JSON.parse(r.labels) as Record<string, string>,
  agents: JSON.parse(r.agents) as NodeRecord['agents'],
  connected: Number(r.connected) === 1,
  connectedSince: Number(r.connected_since),
  lastHeartbeat: Number(r.last_heartbeat),
  runningTasks: JSON.parse(r.running_tasks) as string[],
  seenAt: Number(r.seen_at),
});

export function createKyselyNodeRegistry(db: Kysely<Database>): NodeRegistry {
  return {
    async publish(records) {
      if (records.length === 0) return;
      // A disconnected entry never overwrites another server's connected one (the node moved there).
      for (const r of records) {
        const row = toRow(r);
        await db
          .insertInto('worker_nodes')
          .values(row)
          .onConflict((oc) => {
            const update = oc.column('node_id').doUpdateSet(row);
            return r.connected ? update : update.where((eb) => eb.or([eb('worker_nodes.server_id', '=', r.serverId), eb('worker_nodes.connected', '=', 0)]));
          })
          .execute();
      }
    },
    async list(seenAfter) {
      const rows = await db.selectFrom('worker_nodes').selectAll().where('seen_at', '>', seenAfter).orderBy('node_id').execute();
      return rows.map(fromRow);
    },
    async prune(before) {
      await db.deleteFrom('worker_nodes').where('seen_at', '<', before).execute();
    },
  };
}
