/**
 * The node link's HTTP side: the WebSocket `GET /api/nodes/link` remote worker nodes
 * dial (authenticated like every /api/ route, then admitted before the upgrade, so a
 * refusal is a plain HTTP error with its code), and `GET /api/nodes`.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { errorView } from '../../wire/error.ts';
import { nodeList, nodeToWire } from '../../wire/node.ts';
import { LINK_CLOSE, NODE_LINK_PATH, nodeMessage, type ServerMessage } from './link-protocol.ts';
import type { NodeHub } from './node-hub.ts';

const tags = ['nodes'];
/** A node must say hello this soon after the upgrade. */
const HELLO_TIMEOUT_MS = 10_000;

/** Registers the link and the node list on `app` (after @fastify/websocket). */
export function registerNodeRoutes(app: FastifyInstance, hub: NodeHub): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/nodes',
    {
      schema: {
        tags,
        summary: 'Remote worker nodes: their agents, labels, running tasks and health (needs node:read)',
        response: { 200: nodeList, 401: errorView, 403: errorView },
      },
    },
    async (req) => ({ nodes: (await hub.nodes(req.caller)).map(nodeToWire) }),
  );

  r.get(
    NODE_LINK_PATH,
    {
      websocket: true,
      schema: {
        hide: true,
        querystring: z.object({ node_id: z.string().min(1).max(64) }),
      },
      // Before the upgrade: a refused node gets an HTTP error body with the code.
      preHandler: async (req) => hub.admit(req.caller, req.query.node_id),
    },
    (socket: WebSocket, req) => {
      const caller = req.caller;
      const send = (m: ServerMessage): void => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
      };
      const link = { send, close: (code: number, reason: string) => socket.close(code, reason) };
      let handlers: ReturnType<NodeHub['attach']> | undefined;
      const helloTimer = setTimeout(() => socket.close(LINK_CLOSE.protocol, 'no hello'), HELLO_TIMEOUT_MS);
      socket.on('message', (data, isBinary) => {
        let parsed;
        try {
          parsed = isBinary ? undefined : nodeMessage.safeParse(JSON.parse(String(data)));
        } catch {
          parsed = undefined;
        }
        if (parsed === undefined || !parsed.success) {
          send({ type: 'error', code: 'VALIDATION_FAILED', message: parsed?.error.issues[0]?.message ?? 'Not a JSON text frame' });
          return;
        }
        const m = parsed.data;
        if (handlers === undefined) {
          if (m.type !== 'hello' || m.node_id !== req.query.node_id) {
            send({ type: 'error', code: 'VALIDATION_FAILED', message: 'The first message must be a hello with the node id of the URL' });
            socket.close(LINK_CLOSE.protocol, 'hello expected');
            return;
          }
          clearTimeout(helloTimer);
          handlers = hub.attach(caller, m, link);
          return;
        }
        handlers.onMessage(m);
      });
      socket.on('close', () => {
        clearTimeout(helloTimer);
        handlers?.onClose();
      });
      socket.on('error', () => socket.terminate());
    },
  );
}
