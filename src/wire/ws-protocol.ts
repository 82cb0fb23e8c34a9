/**
 * The WebSocket protocol at /api/runtime/ws (docs/protocol.md), version 1: JSON text
 * frames. The client opens with `hello` (protocol version and credential), then sends
 * requests that carry an `id`; the server answers each with `result` or `error` of the
 * same id, and pushes `event`, `preview` and `end` frames for every subscription.
 * Request bodies are the HTTP routes' (same fields, same limits); results are the HTTP
 * responses' bodies; errors carry the HTTP error body's codes. Within a version only
 * additive changes are made.
 */
import { z } from 'zod';
import { answerBody, listQuery, submitBody } from './task.ts';
import { errorView } from './error.ts';
import { eventView } from './event.ts';

/** The protocol version this server speaks (hello's `protocol`). */
export const WS_PROTOCOL_VERSION = 1;
/** The WebSocket subprotocol naming that version; a client may offer it in Sec-WebSocket-Protocol. */
export const WS_SUBPROTOCOL = `switchboard.v${WS_PROTOCOL_VERSION}`;
/** Where the transport listens. */
export const WS_PATH = '/api/runtime/ws';

/** A request id, chosen by the client and echoed in the answer. */
export const requestId = z.union([z.string().min(1).max(64), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);
export type RequestId = z.infer<typeof requestId>;

const taskId = z.uuid({ error: 'task_id must be a UUID' });
const base = { id: requestId };

export const helloMessage = z
  .object({
    type: z.literal('hello'),
    ...base,
    protocol: z.number().int().min(1),
    token: z.string().min(1).max(200).optional().describe('An API token or session token; else the upgrade request\'s Authorization header, or the browser session cookie'),
  })
  .strict();

export const submitMessage = z
  .object({ type: z.literal('submit'), ...base, ...submitBody.shape, idempotency_key: z.string().min(1).max(200).optional() })
  .strict();
export const stateMessage = z.object({ type: z.literal('state'), ...base, task_id: taskId }).strict();
export const listMessage = z
  .object({ type: z.literal('list'), ...base, ...listQuery.shape, limit: z.number().int().min(1).max(500).default(50) })
  .strict();
export const cancelMessage = z.object({ type: z.literal('cancel'), ...base, task_id: taskId }).strict();
export const answerMessage = z.object({ type: z.literal('answer'), ...base, task_id: taskId, ...answerBody.shape }).strict();
export const approveMessage = z
  .object({
    type: z.literal('approve'),
    ...base,
    task_id: taskId,
    decision: z.enum(['approve', 'deny']),
    reason: z.string().min(1).max(1000).optional(),
    approval_id: z.uuid().optional(),
  })
  .strict();
export const subscribeMessage = z
  .object({ type: z.literal('subscribe'), ...base, task_id: taskId, after_seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0) })
  .strict();
export const unsubscribeMessage = z.object({ type: z.literal('unsubscribe'), ...base, subscription: z.string().min(1).max(64) }).strict();

/** Every request after hello. */
export const requestMessage = z.discriminatedUnion('type', [
  submitMessage,
  stateMessage,
  listMessage,
  cancelMessage,
  answerMessage,
  approveMessage,
  subscribeMessage,
  unsubscribeMessage,
]);
export type RequestMessage = z.infer<typeof requestMessage>;
export type RequestType = RequestMessage['type'];

/** Every message a client may send. */
export const clientMessage = z.discriminatedUnion('type', [helloMessage, ...requestMessage.options]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** What hello's result says. */
export const helloResult = z.object({
  protocol: z.number(),
  user: z.object({ id: z.string(), username: z.string(), roles: z.array(z.string()) }),
  session_id: z.string().nullable(),
  heartbeat_ms: z.number().describe('The server pings this often; a client that misses two pongs is disconnected'),
  max_subscriptions: z.number(),
});
export type HelloResult = z.infer<typeof helloResult>;

export const subscribeResult = z.object({ subscription: z.string(), task_id: z.string(), after_seq: z.number() });
export const unsubscribeResult = z.object({ subscription: z.string() });

/** Server → client frames. */
export const resultFrame = z.object({ type: z.literal('result'), id: requestId, result: z.unknown() });
export const errorFrame = z.object({ type: z.literal('error'), id: requestId.nullable(), error: errorView.shape.error });
export const eventFrame = z.object({ type: z.literal('event'), subscription: z.string(), event: eventView });
export const previewFrame = z.object({
  type: z.literal('preview'),
  subscription: z.string(),
  preview: z.object({ task_id: z.string(), attempt: z.number(), chunk: z.number(), offset: z.number(), text: z.string() }),
});
export const endFrame = z.object({
  type: z.literal('end'),
  subscription: z.string(),
  task_id: z.string(),
  last_seq: z.number().describe('The last sequence number sent; resume with after_seq = last_seq'),
  reason: z.enum(['terminal', 'error', 'unsubscribed']),
  error: errorView.shape.error.optional(),
});
export const serverMessage = z.discriminatedUnion('type', [resultFrame, errorFrame, eventFrame, previewFrame, endFrame]);
export type ServerMessage = z.infer<typeof serverMessage>;

/**
 * Close codes the server uses (RFC 6455 ones and the 4000–4999 private range). The
 * reason text says more; a client reconnects on 1001, 1008 and 1011 (resuming its
 * subscriptions with `after_seq`), and does not on 4401, 4403, 4426 before it has a
 * new credential or a newer client.
 */
export const WsCloseCodes = {
  /** The server is shutting down. */
  GOING_AWAY: 1001,
  /** A slow consumer: more than the send limit unread, or stalled past the stall time. */
  SLOW_CONSUMER: 1008,
  /** A frame larger than the server accepts. */
  TOO_BIG: 1009,
  /** An unexpected server failure. */
  INTERNAL: 1011,
  /** The first message was not a valid hello. */
  BAD_HELLO: 4400,
  /** No credential, a bad one, or the credential was revoked or expired while connected. */
  AUTH: 4401,
  /** The credential is valid but refused (e.g. a revoked device). */
  FORBIDDEN: 4403,
  /** No hello within the time allowed. */
  HELLO_TIMEOUT: 4408,
  /** hello asked for a protocol version this server does not speak. */
  PROTOCOL_UNSUPPORTED: 4426,
} as const;
