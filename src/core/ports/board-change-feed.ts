/** The BoardChangeFeed port: projects whose boards other nodes of a shared database changed. */

/**
 * Boards changed by other nodes (PostgreSQL LISTEN/NOTIFY): board streams on this
 * node wake at once instead of at their next poll. Best effort: while the feed is
 * down, the poll still finds every change in the stored activity.
 */
export interface BoardChangeFeed {
  subscribe(listener: (projectIds: readonly number[]) => void): () => void;
}
