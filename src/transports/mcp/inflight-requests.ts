/**
 * The requests this node is answering, by caller and JSON-RPC id. In stateless mode a
 * client's `notifications/cancelled` arrives as a POST of its own, to a fresh server
 * that knows nothing of the request; this registry lets it end the request (a long
 * wait_task) on the server answering it. Only the same principal's requests are
 * matched, so nobody can cancel another user's call.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

type RequestId = string | number;

interface Message {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: { readonly requestId?: unknown };
}

const isId = (v: unknown): v is RequestId => typeof v === 'string' || typeof v === 'number';

/** The JSON-RPC messages of a body (one message or a batch). */
function messagesOf(body: unknown): Message[] {
  const all: unknown[] = Array.isArray(body) ? body : [body];
  return all.filter((m): m is Message => typeof m === 'object' && m !== null);
}

const keyOf = (principalId: string, id: RequestId): string => `${principalId}\u0000${typeof id}:${String(id)}`;

export interface InflightRequests {
  /** Records that `server` answers the requests of `body`; the returned function forgets them. */
  track(principalId: string, body: unknown, server: McpServer): () => void;
  /** Closes the servers answering the requests that the `notifications/cancelled` of `body` name. */
  cancel(principalId: string, body: unknown): Promise<void>;
}

export function createInflightRequests(): InflightRequests {
  const byKey = new Map<string, Set<McpServer>>();
  return {
    track(principalId, body, server) {
      const keys = messagesOf(body)
        .filter((m) => typeof m.method === 'string' && isId(m.id))
        .map((m) => keyOf(principalId, m.id as RequestId));
      for (const key of keys) byKey.set(key, (byKey.get(key) ?? new Set()).add(server));
      return () => {
        for (const key of keys) {
          const servers = byKey.get(key);
          servers?.delete(server);
          if (servers?.size === 0) byKey.delete(key);
        }
      };
    },
    async cancel(principalId, body) {
      const targets = messagesOf(body)
        .filter((m) => m.method === 'notifications/cancelled' && isId(m.params?.requestId))
        .flatMap((m) => [...(byKey.get(keyOf(principalId, m.params?.requestId as RequestId)) ?? [])]);
      await Promise.all(targets.map((s) => s.close()));
    },
  };
}
