/** The wire model of remote worker nodes (GET /api/nodes). */
import { z } from 'zod';
import { iso } from './primitives.ts';

export const nodeView = z.object({
  node_id: z.string(),
  server_id: z.string().describe('The server holding its link (several servers on one database list every node)'),
  user_id: z.string().describe('The user whose token the node connected with'),
  username: z.string(),
  device_id: z.string().describe('The trusted device the node proved'),
  labels: z.record(z.string(), z.string()),
  agents: z.array(z.string()).describe('Local agent ids it offers; submit to `<agent>@<node_id>` or `<agent>@*[k=v]`'),
  connected: z.boolean(),
  connected_since: z.string(),
  last_heartbeat: z.string(),
  running_tasks: z.array(z.string()),
  health: z.enum(['ok', 'late', 'disconnected']),
});

export const nodeList = z.object({ nodes: z.array(nodeView) });

/** What the node list holds of one node (the link transport's NodeView). */
export interface NodeInfoLike {
  readonly nodeId: string;
  readonly serverId: string;
  readonly userId: string;
  readonly username: string;
  readonly deviceId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly agents: readonly string[];
  readonly connected: boolean;
  readonly connectedSince: number;
  readonly lastHeartbeat: number;
  readonly runningTasks: readonly string[];
  /** `ok`: heartbeats on time; `late`: a heartbeat is overdue; `disconnected`: away (its runs wait out the grace). */
  readonly health: 'ok' | 'late' | 'disconnected';
}

export const nodeToWire = (n: NodeInfoLike): z.infer<typeof nodeView> => ({
  node_id: n.nodeId,
  server_id: n.serverId,
  user_id: n.userId,
  username: n.username,
  device_id: n.deviceId,
  labels: { ...n.labels },
  agents: [...n.agents],
  connected: n.connected,
  connected_since: iso(n.connectedSince),
  last_heartbeat: iso(n.lastHeartbeat),
  running_tasks: [...n.runningTasks],
  health: n.health,
});
