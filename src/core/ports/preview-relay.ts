/** The PreviewRelay port: live output previews between the nodes of a shared database. */
import type { OutputPreview } from '../domain/event.ts';

/**
 * Carries previews (never stored) from the node running a task to the other nodes'
 * watchers (PostgreSQL NOTIFY). Best effort: a preview lost on the way is harmless,
 * since a watcher shows each stored output chunk past what it previewed. A node with
 * a watcher says so (`watching`), so that previews nobody elsewhere watches are not sent.
 */
export interface PreviewRelay {
  /** Sends a batch to the other nodes (not back to this one). */
  send(previews: readonly OutputPreview[]): void;
  subscribe(listener: (previews: readonly OutputPreview[]) => void): () => void;
  /** Tells the other nodes that this one has a watcher of the task. */
  watching(taskId: string): void;
  /** Calls `listener` when another node has a watcher of a task. */
  onWatching(listener: (taskId: string) => void): () => void;
}
