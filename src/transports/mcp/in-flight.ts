/**
 * Cancellation for stateless /mcp. A client cancels a request with a
 * `notifications/cancelled` in a POST of its own, which reaches a fresh server that
 * never saw the request; this registry finds the exchange still answering it (same
 * credential, same request id) on this node and stops it, so a cancelled wait_task
 * stops waiting at once. Only the exchange is stopped: the task runs on.
 *
 * Two clients holding one token number their requests alike (each starts at 0), so
 * a credential and an id can name two exchanges. Such a cancel is ambiguous and is
 * ignored (MCP lets a receiver ignore a cancellation): stopping the other client's
 * request would be worse than letting this one run to its answer or its timeout.
 */
import { hash } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CancelledNotificationSchema, isJSONRPCNotification, isJSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/** One POST being answered: its server, its transport and the requests it still answers. */
interface Exchange {
  readonly server: McpServer;
  readonly transport: Transport;
  readonly pending: Set<RequestId>;
}

const messagesOf = (body: unknown): unknown[] => (Array.isArray(body) ? body : [body]);

/** The requests being answered on this node, by credential and request id. */
export class InFlightRequests {
  private readonly byKey = new Map<string, Set<Exchange>>();

  /** Keyed by a hash of the credential: a cancel acts only on requests of the same credential, and no token is held. */
  private static key(bearer: string, id: RequestId): string {
    return `${hash('sha256', bearer, 'hex')} ${JSON.stringify(id)}`;
  }

  /** Registers the requests of a POST body; the returned function forgets them (call it when the exchange ends). */
  track(bearer: string, body: unknown, server: McpServer, transport: Transport): () => void {
    const ids = messagesOf(body).filter(isJSONRPCRequest).map((m) => m.id);
    if (ids.length === 0) return () => undefined;
    const exchange: Exchange = { server, transport, pending: new Set(ids) };
    const keys = ids.map((id) => InFlightRequests.key(bearer, id));
    for (const k of keys) {
      const exchanges = this.byKey.get(k);
      if (exchanges === undefined) this.byKey.set(k, new Set([exchange]));
      else exchanges.add(exchange);
    }
    return () => {
      for (const k of keys) this.forget(k, exchange);
    };
  }

  private forget(k: string, exchange: Exchange): void {
    const exchanges = this.byKey.get(k);
    exchanges?.delete(exchange);
    if (exchanges?.size === 0) this.byKey.delete(k);
  }

  /** Stops the requests that the cancellations in a POST body name, when this credential sent them. */
  cancel(bearer: string, body: unknown): void {
    for (const m of messagesOf(body)) {
      if (!isJSONRPCNotification(m)) continue;
      const parsed = CancelledNotificationSchema.safeParse(m);
      const id = parsed.success ? parsed.data.params.requestId : undefined;
      if (id === undefined) continue;
      const k = InFlightRequests.key(bearer, id);
      const exchanges = this.byKey.get(k);
      // None: answered already, or on another node. Several: ambiguous (see above).
      if (exchanges?.size !== 1) continue;
      const [exchange] = exchanges;
      if (exchange === undefined) continue;
      this.forget(k, exchange);
      exchange.pending.delete(id);
      if (exchange.pending.size === 0) {
        // The SDK never answers a cancelled request, so the response would stay open: closing the
        // server ends it and aborts the handler's signal.
        void exchange.server.close();
      } else {
        // A batch answering others too: the server's own cancel handling aborts just this one.
        exchange.transport.onmessage?.(m);
      }
    }
  }
}
