/**
 * The worker node's side of the link (`switchboard node`): proves its device, dials
 * the server, announces its agents, runs what it is given and streams the runs back;
 * reconnects with backoff and resumes its runs without repeating a message.
 */
import WebSocket from 'ws';
import type { AgentRegistry } from '../../core/ports/agent-registry.ts';
import { LINK_PROTOCOL_VERSION, NODE_LINK_PATH, serverMessage, type NodeMessage, type ServerMessage } from './link-protocol.ts';
import { NodeRun } from './node-run.ts';

/** A refusal the node cannot fix by trying again (bad token, untrusted device, taken id). */
export class NodeRefusedError extends Error {
  override readonly name = 'NodeRefusedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NodeClientOptions {
  readonly serverUrl: string;
  readonly token: string;
  readonly nodeId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The node's own agents (built like the server builds its own), already limited to the announced ones. */
  readonly agents: AgentRegistry;
  readonly deviceId: string;
  /** Signs a device challenge with the node's device key (base64 signature). */
  readonly sign: (challenge: { readonly challenge_id: string; readonly nonce: string }) => string;
  /** One status line (stderr). */
  readonly status: (line: string) => void;
  /** Longest wait between reconnects (default: 5 s). */
  readonly maxBackoffMs?: number;
}

export interface NodeClient {
  /** Runs until `stop` or a refusal (rejects with NodeRefusedError). */
  readonly done: Promise<void>;
  /** Drains: new runs are handed back; running ones finish within `graceMs`, else are handed back. */
  stop(graceMs: number): Promise<void>;
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string };
}

async function readError(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json().catch(() => ({}))) as ErrorBody;
  return { code: body.error?.code ?? `HTTP_${res.status}`, message: body.error?.message ?? res.statusText };
}

export function startNodeClient(options: NodeClientOptions): NodeClient {
  const base = options.serverUrl.replace(/\/+$/, '');
  const runs = new Map<string, NodeRun>();
  let socket: WebSocket | undefined;
  let ready = false;
  let stopping = false;
  let draining = false;
  let session: string | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let settle!: { resolve(): void; reject(err: Error): void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const send = (m: NodeMessage): void => {
    if (ready && socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(m));
  };

  /** A session of the token's user on this device, proven by signing a challenge. */
  async function openSession(): Promise<string> {
    const json = { 'content-type': 'application/json', accept: 'application/json' };
    const c = await fetch(`${base}/api/auth/device-challenge`, { method: 'POST', headers: json, body: JSON.stringify({ device_id: options.deviceId }) });
    if (!c.ok) {
      const e = await readError(c);
      throw new Error(`device challenge refused: ${e.code}: ${e.message}`);
    }
    const challenge = (await c.json()) as { challenge_id: string; nonce: string };
    const s = await fetch(`${base}/api/runtime/sessions`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ device_id: options.deviceId, device_proof: { challenge_id: challenge.challenge_id, signature: options.sign(challenge) } }),
    });
    if (!s.ok) {
      const e = await readError(s);
      if (s.status === 401 || s.status === 403 || s.status === 404) throw new NodeRefusedError(e.code, e.message);
      throw new Error(`${e.code}: ${e.message}`);
    }
    // The session's bearer secret (its `token`), never its id.
    return ((await s.json()) as { token: string }).token;
  }

  function onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome': {
        ready = true;
        for (const r of m.runs) {
          const run = runs.get(r.run_id);
          if (run === undefined) continue;
          if (r.state === 'dead') {
            options.status(`run ${r.run_id}: the server gave it up while the node was away; stopping it`);
            run.drop('stale');
            continue;
          }
          for (const msg of run.unacked(r.acked_seq)) send(msg);
        }
        if (heartbeat !== undefined) clearInterval(heartbeat);
        heartbeat = setInterval(() => send({ type: 'heartbeat' }), m.heartbeat_ms);
        options.status(`connected to ${base} as node ${m.node_id}${m.runs.length > 0 ? ` (resumed ${m.runs.filter((r) => r.state === 'live').length} runs)` : ''}`);
        return;
      }
      case 'run': {
        if (runs.has(m.run_id)) return;
        const agent = draining ? undefined : options.agents.get(m.agent_type);
        options.status(`run ${m.run_id}: ${m.agent_type} for task ${m.task_id} (attempt ${m.attempt})`);
        const run = new NodeRun(m, agent, (msg) => send(msg), (r) => {
          runs.delete(r.runId);
          options.status(`run ${r.runId}: ${r.isAborted ? 'stopped' : 'done'}`);
        });
        runs.set(m.run_id, run);
        if (draining) run.abort('draining');
        return;
      }
      case 'ack':
        runs.get(m.run_id)?.acked(m.seq);
        return;
      case 'reply':
        runs.get(m.run_id)?.reply(m.seq, m.ok, m.value, m.error);
        return;
      case 'cancel':
        options.status(`run ${m.run_id}: cancelled by the server (${m.reason})`);
        runs.get(m.run_id)?.abort(m.reason);
        return;
      case 'refused':
        options.status(`run ${m.run_id}: refused by the server (${m.code}); stopping it`);
        runs.get(m.run_id)?.drop('stale');
        return;
      case 'error':
        options.status(`server: ${m.code}: ${m.message}`);
        return;
      default:
        return;
    }
  }

  async function connectOnce(): Promise<'closed'> {
    session ??= await openSession();
    const url = `${base.replace(/^http/, 'ws')}${NODE_LINK_PATH}?node_id=${encodeURIComponent(options.nodeId)}`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${session}` }, maxPayload: 16 * 1024 * 1024 });
    socket = ws;
    ready = false;
    return new Promise<'closed'>((resolve, reject) => {
      let refusing = false;
      ws.on('unexpected-response', (_req, res) => {
        refusing = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let e: ErrorBody = {};
          try {
            e = JSON.parse(text) as ErrorBody;
          } catch {
            /* not JSON: the status says enough */
          }
          const code = e.error?.code ?? `HTTP_${res.statusCode ?? 0}`;
          const message = e.error?.message ?? '';
          if (res.statusCode === 401) session = undefined; // expired or revoked: prove the device again
          if (res.statusCode === 403 || res.statusCode === 409 || res.statusCode === 400) reject(new NodeRefusedError(code, message));
          else reject(new Error(`${code}: ${message}`));
        });
      });
      ws.on('open', () => {
        ws.send(
          JSON.stringify({
            type: 'hello',
            version: LINK_PROTOCOL_VERSION,
            node_id: options.nodeId,
            labels: options.labels,
            agents: options.agents.list().map((a) => ({ agent_type: a.info.agentType, name: a.info.name, description: a.info.description, capabilities: [...a.info.capabilities] })),
            runs: [...runs.keys()],
          } satisfies NodeMessage),
        );
      });
      ws.on('message', (data) => {
        let parsed;
        try {
          parsed = serverMessage.safeParse(JSON.parse(String(data)));
        } catch {
          return;
        }
        if (parsed.success) onMessage(parsed.data);
      });
      ws.on('error', (err) => reject(err));
      ws.on('close', (code, reason) => {
        ready = false;
        if (heartbeat !== undefined) clearInterval(heartbeat);
        if (refusing) return; // the answer's body decides
        if (code === 4400 || code === 4409) reject(new NodeRefusedError(code === 4400 ? 'NODE_PROTOCOL_UNSUPPORTED' : 'NODE_ID_TAKEN', reason.toString()));
        else resolve('closed');
      });
    });
  }

  void (async () => {
    let backoff = 100;
    const max = options.maxBackoffMs ?? 5000;
    while (!stopping) {
      const started = Date.now();
      try {
        await connectOnce();
        if (!stopping) options.status(`link to ${base} closed; reconnecting`);
      } catch (err) {
        if (err instanceof NodeRefusedError) {
          stopping = true;
          for (const run of runs.values()) run.abort('refused');
          settle.reject(err);
          return;
        }
        if (!stopping) options.status(`cannot reach ${base}: ${err instanceof Error ? err.message : String(err)}; retrying in ${backoff} ms`);
      }
      if (stopping) break;
      // A link that stayed up a while starts the backoff over.
      if (Date.now() - started > 10_000) backoff = 100;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(max, backoff * 2);
    }
    settle.resolve();
  })();

  return {
    done,
    async stop(graceMs) {
      draining = true;
      options.status(`draining: ${runs.size} runs to finish or hand back`);
      const all = Promise.all([...runs.values()].map((r) => r.settled));
      const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([all, timer]);
      for (const run of runs.values()) run.abort('draining');
      await all;
      // The last messages (results or hand-backs) go out before the link closes, if it is up.
      const flushed = Date.now() + Math.min(graceMs, 2000);
      while (runs.size > 0 && ready && Date.now() < flushed) await new Promise((r) => setTimeout(r, 20));
      stopping = true;
      socket?.close(1000, 'node stopping');
      await done.catch(() => undefined);
    },
  };
}
