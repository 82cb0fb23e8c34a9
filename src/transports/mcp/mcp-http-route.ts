/**
 * Streamable HTTP at /mcp, stateless: each POST carries its own bearer credential and
 * gets a fresh server for its caller. Calls that report progress or wait are answered
 * as an SSE stream (notifications, then the response); the rest as plain JSON. No
 * session lives on the node, so any node of a cluster answers any request. Without a
 * standalone stream, GET and DELETE are 405.
 *
 * Only the `Authorization` header authenticates (never the web UI's cookie), so a page
 * of another site cannot act with a browser's credentials; a request that carries an
 * `Origin` must come from a loopback page of this server itself, which refuses DNS
 * rebinding (a foreign name resolving to 127.0.0.1).
 *
 * A `notifications/cancelled` stops the request it names when this node answers it for
 * the same credential (a cancelled wait_task stops waiting); one answered by another node
 * of a cluster runs to its end or timeout. Closing the request stops it on any node.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { Caller } from '../../core/domain/caller.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Authenticator } from '../../core/ports/authenticator.ts';
import { errorView } from '../../wire/error.ts';
import { jsonObject } from '../../wire/primitives.ts';
import { bearerOf } from '../http/bearer.ts';
import { InFlightRequests } from './in-flight.ts';
import { WAIT_TOOL } from './wait-tool.ts';

export const MCP_PATH = '/mcp';

export interface McpRouteDeps {
  readonly authenticator: Authenticator;
  /** A server whose tools act as the caller. */
  readonly serverFor: (caller: Caller) => McpServer;
}

export interface McpRouteOptions {
  /** Interval of SSE keep-alive comments while a tool runs (default: 15 s). */
  readonly keepAliveMs?: number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Refuses a browser request from another origin, or from a non-loopback name (DNS rebinding). */
function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let hostname = '';
  try {
    hostname = new URL(origin).hostname;
  } catch {
    // not a URL: refused below
  }
  if (origin !== `${req.protocol}://${req.headers.host ?? ''}` || !LOOPBACK_HOSTS.has(hostname)) {
    throw new SwitchboardError('CSRF_FAILED', `Refused: /mcp does not accept requests from the page ${origin.slice(0, 200)}`);
  }
}

/**
 * Whether the answer should be an SSE stream: only when it carries more than the response
 * (progress notifications asked for, or the keep-alives of a long wait_task); a plain JSON
 * answer costs less than half as much.
 */
function wantsStream(body: unknown): boolean {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    if (typeof m !== 'object' || m === null) return false;
    const { method, params } = m as { method?: unknown; params?: { name?: unknown; _meta?: { progressToken?: unknown } } };
    return params?._meta?.progressToken !== undefined || (method === 'tools/call' && params?.name === WAIT_TOOL);
  });
}

async function callerOf(req: FastifyRequest, authenticator: Authenticator): Promise<Caller> {
  checkOrigin(req);
  return authenticator.authenticate(bearerOf(req.headers.authorization));
}

/** Registers POST /mcp (and the 405 answers of GET and DELETE) on `app`. */
export function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps, options: McpRouteOptions = {}): void {
  const open = new Set<McpServer>();
  const inFlight = new InFlightRequests();
  // An open request (a waiting wait_task) would hold the server's close open.
  app.addHook('preClose', async () => {
    await Promise.all([...open].map((s) => s.close()));
  });

  app.withTypeProvider<ZodTypeProvider>().post(
    MCP_PATH,
    {
      schema: {
        tags: ['mcp'],
        summary: 'The MCP server (Streamable HTTP, stateless): JSON-RPC messages in, an SSE stream of the answer out',
        description:
          'Send `Accept: application/json, text/event-stream` and `Authorization: Bearer <token>`. A request is answered ' +
          'as `text/event-stream` (progress notifications, then the response) when it asks for progress or is a wait_task call, ' +
          'else as `application/json`; notifications and responses with 202. ' +
          'Tool calls act with the permissions of the token; a refusal is a tool error with the same code as over HTTP.',
        body: z.union([jsonObject, z.array(jsonObject)]).describe('A JSON-RPC message or a batch'),
        response: { 200: z.string().describe('text/event-stream of JSON-RPC messages, or the JSON-RPC response as JSON'), 400: errorView, 401: errorView, 403: errorView },
      },
    },
    async (req, reply) => {
      const caller = await callerOf(req, deps.authenticator);
      // Authenticated, so a bearer is present.
      const bearer = bearerOf(req.headers.authorization) ?? '';
      inFlight.cancel(bearer, req.body);
      const server = deps.serverFor(caller);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: !wantsStream(req.body),
        ...(options.keepAliveMs !== undefined ? { keepAliveMs: options.keepAliveMs } : {}),
      });
      open.add(server);
      const forget = inFlight.track(bearer, req.body, server, transport);
      reply.raw.on('close', () => {
        forget();
        open.delete(server);
        void server.close();
      });
      await server.connect(transport);
      reply.hijack();
      try {
        await transport.handleRequest(req.raw, reply.raw, req.body);
      } catch (err) {
        // The reply is ours now: Fastify's error handler no longer answers it.
        req.log.error({ err, reqId: req.id }, 'MCP request failed');
        if (reply.raw.headersSent) reply.raw.end();
        else reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
      }
    },
  );

  const notAllowed = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await callerOf(req, deps.authenticator);
    await reply
      .code(405)
      .header('allow', 'POST')
      .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless (POST only)' }, id: null });
  };
  app.get(MCP_PATH, { schema: { hide: true } }, notAllowed);
  app.delete(MCP_PATH, { schema: { hide: true } }, notAllowed);
}
