/**
 * The WebSocket transport at /api/runtime/ws (docs/protocol.md), served on the HTTP
 * server's port. Before the upgrade it refuses a foreign `Origin` (a page of another
 * site must not act with a visitor's cookie); after it, each connection authenticates
 * in its hello. One timer pings every connection (dropping those that missed the last
 * pong), one watch re-checks their credentials. Holds a Runtime and an Authenticator.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Authenticator } from '../../core/ports/authenticator.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { errorBody } from '../../wire/error.ts';
import { isOwnOrigin, sessionCookieOf } from '../../wire/browser-session.ts';
import { WS_PATH, WS_SUBPROTOCOL } from '../../wire/ws-protocol.ts';
import { createCredentialWatch } from './credential-watch.ts';
import { WsConnection } from './ws-connection.ts';

export interface WsTransportDeps {
  readonly runtime: Runtime;
  readonly authenticator: Authenticator;
  readonly logger: FastifyBaseLogger;
}

export interface WsTransportOptions {
  /** Ping interval (default: 30 s). */
  readonly heartbeatMs: number;
  /** Most bytes queued unsent to one connection (default: 4 MiB). */
  readonly sendLimit: number;
  /** Longest wait for a backed-up connection to drain (default: 10 s). */
  readonly stallMs: number;
  /** Credential re-check interval (default: 2 s). */
  readonly recheckMs: number;
  /** Time allowed for the hello (default: 10 s). */
  readonly helloTimeoutMs?: number;
  /** Open subscriptions per connection (default: 1,000). */
  readonly maxSubscriptions?: number;
  /** Origins besides the server's own that may connect (default: none). */
  readonly allowedOrigins?: readonly string[];
}

/** Figures about the transport's connections (for metrics and tests). */
export interface WsStats {
  readonly connections: number;
  /** Connections cut off as slow consumers since start. */
  readonly cutOff: number;
  /** The most bytes ever queued unsent on one connection. */
  readonly peakBuffered: number;
}

export interface WsTransport {
  readonly path: string;
  /** Adds the route to the HTTP server (before it listens). */
  register(app: FastifyInstance): void;
  /** A user's credentials changed on this node: re-check that user's connections now. */
  checkUser(userId: string): void;
  /** Shutdown: tells every connection the server is going away (close 1001). */
  goAway(): void;
  stats(): WsStats;
}

function bearerOf(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function createWsTransport(deps: WsTransportDeps, options: WsTransportOptions): WsTransport {
  const connections = new Set<WsConnection>();
  const allowed = new Set(options.allowedOrigins ?? []);
  let cutOff = 0;
  let peakClosed = 0;
  const watch = createCredentialWatch(deps.authenticator, {
    recheckMs: options.recheckMs,
    onError: (err) => deps.logger.warn({ err }, 'websocket credential re-check failed; trying again later'),
  });
  let heartbeat: NodeJS.Timeout | undefined;

  const sameOrigin = (req: FastifyRequest, origin: string): boolean => isOwnOrigin(origin, req.protocol, req.headers.host, options.allowedOrigins);

  // Runs before the upgrade: a refusal is an ordinary HTTP error response.
  async function checkOrigin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const origin = req.headers.origin;
    if (origin === undefined || sameOrigin(req, origin) || allowed.has(origin)) return;
    const err = new SwitchboardError('CSRF_FAILED', `Refused: the WebSocket came from ${origin.slice(0, 200)}, not from this server`);
    await reply.code(403).send(errorBody(err));
  }

  /** A client offering subprotocols must offer this version's; one offering none is fine (hello says the version). */
  async function checkProtocol(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (offered.length === 0 || offered.includes(WS_SUBPROTOCOL)) return;
    const err = new SwitchboardError('WS_PROTOCOL_UNSUPPORTED', `Offer the ${WS_SUBPROTOCOL} subprotocol, or none`);
    await reply.code(400).send(errorBody(err));
  }

  function onConnection(ws: WebSocket, req: FastifyRequest): void {
    const origin = req.headers.origin;
    const conn = new WsConnection(
      ws,
      { runtime: deps.runtime, authenticator: deps.authenticator, watch, logger: deps.logger, onCutOff: () => (cutOff += 1) },
      {
        heartbeatMs: options.heartbeatMs,
        sendLimit: options.sendLimit,
        stallMs: options.stallMs,
        helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
        maxSubscriptions: options.maxSubscriptions ?? 1000,
        headerCredential: bearerOf(req.headers.authorization),
        // The cookie speaks for a browser only on this server's own pages.
        cookieCredential: origin !== undefined && sameOrigin(req, origin) ? sessionCookieOf(req.headers.cookie) : undefined,
      },
    );
    connections.add(conn);
    ws.on('close', () => {
      connections.delete(conn);
      peakClosed = Math.max(peakClosed, conn.peakBuffered);
    });
  }

  return {
    path: WS_PATH,
    register(app) {
      // @fastify/websocket is registered once, by the HTTP server; this scope only adds the route.
      void app.register(async (scope) => {
        scope.get(WS_PATH, { websocket: true, onRequest: [checkOrigin, checkProtocol], schema: { hide: true } }, onConnection);
        scope.addHook('onReady', async () => {
          heartbeat = setInterval(() => {
            for (const c of connections) c.heartbeat();
          }, options.heartbeatMs);
          heartbeat.unref();
          watch.start();
        });
        scope.addHook('onClose', async () => {
          if (heartbeat !== undefined) clearInterval(heartbeat);
          watch.stop();
        });
      });
    },
    goAway() {
      for (const c of connections) c.goAway();
    },
    checkUser(userId) {
      watch.checkUser(userId);
    },
    stats() {
      let peak = peakClosed;
      for (const c of connections) peak = Math.max(peak, c.peakBuffered);
      return { connections: connections.size, cutOff, peakBuffered: peak };
    },
  };
}
