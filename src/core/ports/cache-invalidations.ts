/** The CacheInvalidations port: telling the other nodes of a shared database to drop cached credentials, policies and node lists. */

/**
 * What changed: a user's credentials (sessions, tokens, roles, devices, disabled), the
 * resource policies, or the registry of remote worker nodes (one connected or left).
 */
export type CacheInvalidation = { readonly kind: 'user'; readonly userId: string } | { readonly kind: 'policies' } | { readonly kind: 'nodes' };

/**
 * Sent after the change is committed (PostgreSQL NOTIFY), so a revocation made through
 * one node applies at once on all. Best effort: a node that misses one still drops
 * its entry when the entry's short time to live runs out.
 */
export interface CacheInvalidations {
  publish(invalidation: CacheInvalidation): void;
  subscribe(listener: (invalidation: CacheInvalidation) => void): () => void;
}
