/**
 * One live server per node id on a shared PostgreSQL database. A node id names the
 * lease owner, and a server recovers the tasks leased under its own id at once when
 * it starts (it takes them for its own from before a restart), so two live servers
 * with one id would take each other's running tasks. Each server holds a session
 * advisory lock on `(schema, node id)` on a connection of its own for as long as it
 * runs: the database drops it when that session ends (the process died, its host went
 * away — TCP keepalives find that within about half a minute), so a restarted server
 * gets its id back and a second live one cannot have it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface NodeLock {
  /** The node id this server holds. */
  readonly nodeId: string;
  release(): Promise<void>;
}

/** Thrown when an explicitly configured node id is held by another live server. */
export class NodeIdTakenError extends Error {}

/** Most suffixed ids tried for a default id before giving up (each taken by a live server). */
const ATTEMPTS = 20;

/**
 * Takes `wanted` for this process. An explicit id held by another live server is
 * refused; a default one gets a random suffix instead (its own lease owner: that
 * server's tasks are recovered by lease expiry if it dies, not by its restart).
 */
export async function lockNodeId(options: {
  readonly url: string;
  readonly schema: string;
  readonly wanted: string;
  readonly explicit: boolean;
}): Promise<NodeLock> {
  const client = new pg.Client({ connectionString: options.url, keepAlive: true });
  // A broken lock session ends what it guaranteed; the error must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    // Let the server notice a vanished peer in ~25 s (not the system's two hours), freeing the id.
    await client.query('set tcp_keepalives_idle = 10; set tcp_keepalives_interval = 5; set tcp_keepalives_count = 3');
    for (let i = 0; i < ATTEMPTS; i++) {
      const id = i === 0 ? options.wanted : `${options.wanted}-${randomBytes(3).toString('hex')}`;
      const res = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [
        `switchboard-node:${options.schema}:${id}`,
      ]);
      if (res.rows[0]?.locked === true) {
        return {
          nodeId: id,
          async release() {
            await client.end().catch(() => undefined);
          },
        };
      }
      if (options.explicit) {
        throw new NodeIdTakenError(
          `Another Switchboard server is running as node "${id}" on this database; give each server its own SWITCHBOARD_NODE_ID (or leave it unset)`,
        );
      }
    }
    throw new NodeIdTakenError(`No free node id found for "${options.wanted}"`);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}
