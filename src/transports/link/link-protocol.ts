/**
 * The node link protocol (docs/node-protocol.md): JSON text frames between a remote
 * worker node and the server over a WebSocket at /api/nodes/link. Versioned by the
 * node's `hello`; within a version only additive changes.
 */
import { z } from 'zod';

/** The protocol version both sides speak. */
export const LINK_PROTOCOL_VERSION = 1;

/** The WebSocket path nodes dial. */
export const NODE_LINK_PATH = '/api/nodes/link';

const json = z.json();
const jsonObject = z.record(z.string(), json);
const runId = z.string().min(1).max(200);
const nodeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, ., - and _ (max 64)');
const labelKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);

/** One agent a node offers, under its local id. */
export const announcedAgent = z.object({
  agent_type: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  name: z.string().max(200),
  description: z.string().max(2000),
  capabilities: z.array(z.string().max(64)).max(50),
});

/** What a run-scoped message from the node carries (numbered per run by `seq`). */
export const runBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('emit'), emission: z.object({ type: z.enum(['progress', 'log', 'output']), message: z.string().optional(), progress: z.number().optional(), data: jsonObject.optional() }) }),
  z.object({ kind: z.literal('stream'), text: z.string() }),
  z.object({ kind: z.literal('phase'), phase: z.enum(['planning', 'running']), message: z.string().optional() }),
  z.object({ kind: z.literal('ask'), question: z.string() }),
  z.object({ kind: z.literal('memory_get'), key: z.string() }),
  z.object({ kind: z.literal('memory_set'), key: z.string(), value: json }),
  z.object({ kind: z.literal('result'), result: json, metadata: jsonObject.optional() }),
  z.object({ kind: z.literal('error'), message: z.string().max(10_000), retryable: z.boolean() }),
]);
export type RunBody = z.infer<typeof runBody>;

/** Kinds the node waits a `reply` for. */
export const REQUEST_KINDS: ReadonlySet<RunBody['kind']> = new Set(['phase', 'ask', 'memory_get', 'memory_set']);

/** Node → server. */
export const nodeMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    version: z.number().int(),
    node_id: nodeId,
    labels: z.record(labelKey, z.string().max(200)),
    agents: z.array(announcedAgent).max(200),
    /** Runs the node still holds (after a reconnect), to be resumed. */
    runs: z.array(runId).max(10_000),
  }),
  z.object({ type: z.literal('heartbeat') }),
  z.object({ type: z.literal('run_message'), run_id: runId, seq: z.number().int().min(1), body: runBody }),
]);
export type NodeMessage = z.infer<typeof nodeMessage>;

/** The work a node is given. */
export const runRequest = z.object({
  type: z.literal('run'),
  run_id: runId,
  task_id: z.string(),
  attempt: z.number().int(),
  /** The node's local agent id (without `@node`). */
  agent_type: z.string(),
  prompt: z.string(),
  context: jsonObject,
  session_id: z.string().nullable(),
  project_id: z.string().nullable(),
  has_memory: z.boolean(),
  history: z.array(z.object({ task_id: z.string(), prompt: z.string(), reply: z.string(), at: z.number() })),
});
export type RunRequest = z.infer<typeof runRequest>;

/** Server → node. */
export const serverMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    version: z.number().int(),
    node_id: nodeId,
    heartbeat_ms: z.number().int(),
    /** For each run of the hello: resumed (re-send what follows `acked_seq`) or dead (abort it). */
    runs: z.array(z.object({ run_id: runId, state: z.enum(['live', 'dead']), acked_seq: z.number().int() })),
  }),
  runRequest,
  z.object({ type: z.literal('ack'), run_id: runId, seq: z.number().int() }),
  z.object({ type: z.literal('reply'), run_id: runId, seq: z.number().int(), ok: z.boolean(), value: json.optional(), error: z.string().optional() }),
  z.object({ type: z.literal('cancel'), run_id: runId, reason: z.string() }),
  /** Fencing: the run is no longer this node's; its writes are dropped and it must stop. */
  z.object({ type: z.literal('refused'), run_id: runId, code: z.literal('NODE_RUN_STALE'), message: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** WebSocket close codes of the link (4000 + the HTTP status of the reason). */
export const LINK_CLOSE = {
  protocol: 4400,
  replaced: 4001,
  idTaken: 4409,
  shutdown: 4503,
} as const;
