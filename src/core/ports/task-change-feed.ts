/** The TaskChangeFeed port: other nodes' task changes on a shared database. */

/** What the change feed of a shared database reports. */
export type TaskChangeNotice =
  | { readonly kind: 'changed'; readonly taskIds: readonly string[] }
  /** Listening (again): changes made while not listening are unknown. */
  | { readonly kind: 'up' }
  /** Not listening: other nodes' changes go unseen until `up`. */
  | { readonly kind: 'down' };

/**
 * Tasks changed by other nodes of a shared database (PostgreSQL LISTEN/NOTIFY). The
 * engine keeps its task cache only while the feed is up and evicts what it reports.
 */
export interface TaskChangeFeed {
  subscribe(listener: (notice: TaskChangeNotice) => void): () => void;
}
