/**
 * The NodeRegistry port: remote worker nodes as the servers of one shared database
 * know them. Each server writes the nodes whose link it holds and refreshes them
 * while they stay; a row its server stopped refreshing belongs to a server gone.
 */

/** An agent a node announced. */
export interface AnnouncedAgent {
  readonly agent_type: string;
  readonly name: string;
  readonly description: string;
  readonly capabilities: readonly string[];
}

export interface NodeRecord {
  readonly nodeId: string;
  /** The server holding the node's link. */
  readonly serverId: string;
  readonly userId: string;
  readonly username: string;
  readonly deviceId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly agents: readonly AnnouncedAgent[];
  readonly connected: boolean;
  readonly connectedSince: number;
  readonly lastHeartbeat: number;
  readonly runningTasks: readonly string[];
  /** When its server last wrote it. */
  readonly seenAt: number;
}

export interface NodeRegistry {
  /** Writes this server's nodes (a node that moved to this server is taken over). */
  publish(records: readonly NodeRecord[]): Promise<void>;
  /** Nodes written since `seenAfter`, every server's. */
  list(seenAfter: number): Promise<readonly NodeRecord[]>;
  /** Drops rows not refreshed since `before` (servers long gone). */
  prune(before: number): Promise<void>;
}
