/**
 * One run on a worker node: the local agent works against an AgentRunContext whose
 * calls become numbered run messages to the server. Messages stay buffered until the
 * server acknowledges them (requests until their reply), so after a reconnect the
 * node re-sends exactly what the server has not taken; the server drops repeats.
 */
import { AgentError } from '../../core/domain/errors.ts';
import type { Json } from '../../core/domain/json.ts';
import type { AgentAdapter, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import { REQUEST_KINDS, type RunBody, type RunRequest } from './link-protocol.ts';

/** Stream pieces are joined for this long (or up to this size) into one message: a token stream is not a message per token. */
const STREAM_BATCH_MS = 25;
const STREAM_BATCH_CHARS = 16_384;

type Outbound = { readonly type: 'run_message'; readonly run_id: string; readonly seq: number; readonly body: RunBody };

export class NodeRun {
  private seq = 0;
  /** Sent (or to be sent) and not yet taken by the server, in order. */
  private readonly pending = new Map<number, Outbound>();
  private readonly waiters = new Map<number, { resolve(v: Json | undefined): void; reject(e: Error): void }>();
  private readonly controller = new AbortController();
  private finalSeq: number | undefined;
  private done = false;
  private streamed = '';
  private streamTimer: NodeJS.Timeout | undefined;
  /** Resolves when the agent's promise has settled (the run may still wait for its last ack). */
  readonly settled: Promise<void>;

  constructor(
    readonly request: RunRequest,
    agent: AgentAdapter | undefined,
    /** Sends now when the link is up; a message sent while it is down is re-sent after `welcome`. */
    private readonly transmit: (m: Outbound) => void,
    private readonly onDone: (run: NodeRun) => void,
  ) {
    this.settled = this.execute(agent);
  }

  get runId(): string {
    return this.request.run_id;
  }

  get isAborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Stops the agent (cancel, fencing, or the node shutting down). */
  abort(reason: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    for (const w of this.waiters.values()) w.reject(new Error(`Run ${reason}`));
    this.waiters.clear();
  }

  /** The server has taken every message up to `seq`; a request stays until its reply. */
  acked(seq: number): void {
    for (const [s, m] of this.pending) if (s <= seq && !REQUEST_KINDS.has(m.body.kind)) this.pending.delete(s);
    this.checkDone();
  }

  reply(seq: number, ok: boolean, value: Json | undefined, error: string | undefined): void {
    this.pending.delete(seq);
    const w = this.waiters.get(seq);
    this.waiters.delete(seq);
    if (ok) w?.resolve(value);
    else w?.reject(new Error(error ?? 'refused'));
    this.checkDone();
  }

  /** After a reconnect: what the server has not taken yet, in order. */
  unacked(ackedSeq: number): Outbound[] {
    return [...this.pending.values()].filter((m) => m.seq > ackedSeq || REQUEST_KINDS.has(m.body.kind));
  }

  /** Drops the run without another word to the server (it is over there). */
  drop(reason: string): void {
    this.abort(reason);
    if (this.streamTimer !== undefined) clearTimeout(this.streamTimer);
    this.streamed = '';
    this.pending.clear();
    this.finalSeq = this.finalSeq ?? 0;
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onDone(this);
  }

  /** Queues a stream piece; sent with the pieces after it, before anything else. */
  private stream(text: string): void {
    this.streamed += text;
    if (this.streamed.length >= STREAM_BATCH_CHARS) this.flushStream();
    else this.streamTimer ??= setTimeout(() => this.flushStream(), STREAM_BATCH_MS);
  }

  private flushStream(): void {
    if (this.streamTimer !== undefined) clearTimeout(this.streamTimer);
    this.streamTimer = undefined;
    if (this.streamed === '') return;
    const text = this.streamed;
    this.streamed = '';
    this.send({ kind: 'stream', text });
  }

  /** Every message keeps its order with the stream: what was streamed before it goes first. */
  private post(body: RunBody): number {
    this.flushStream();
    return this.send(body);
  }

  private send(body: RunBody): number {
    this.seq += 1;
    const m: Outbound = { type: 'run_message', run_id: this.runId, seq: this.seq, body };
    this.pending.set(m.seq, m);
    this.transmit(m);
    return m.seq;
  }

  private ask(body: RunBody): Promise<Json | undefined> {
    return new Promise((resolve, reject) => {
      if (this.controller.signal.aborted) return reject(new Error('Run aborted'));
      const seq = this.post(body);
      this.waiters.set(seq, { resolve, reject });
    });
  }

  private checkDone(): void {
    if (this.finalSeq !== undefined && this.pending.size === 0) this.finish();
  }

  private async execute(agent: AgentAdapter | undefined): Promise<void> {
    const r = this.request;
    const signal = this.controller.signal;
    const post = (body: RunBody): void => {
      if (!signal.aborted) this.post(body);
    };
    const ctx: AgentRunContext = {
      taskId: r.task_id,
      attempt: r.attempt,
      agentType: r.agent_type,
      prompt: r.prompt,
      context: r.context,
      sessionId: r.session_id,
      projectId: r.project_id,
      signal,
      memory: r.has_memory
        ? {
            get: async (key) => (await this.ask({ kind: 'memory_get', key })) ?? undefined,
            set: async (key, value) => void (await this.ask({ kind: 'memory_set', key, value })),
          }
        : undefined,
      history: r.history.map((t) => ({ taskId: t.task_id, prompt: t.prompt, reply: t.reply, at: t.at })),
      emit: (emission) => post({ kind: 'emit', emission: { ...emission, ...(emission.data !== undefined ? { data: { ...emission.data } } : {}) } }),
      stream: (text) => {
        if (!signal.aborted) this.stream(text);
      },
      setPhase: async (phase, message) => void (await this.ask({ kind: 'phase', phase, ...(message !== undefined ? { message } : {}) })),
      ask: async (question) => String((await this.ask({ kind: 'ask', question })) ?? ''),
      sleep: (ms) =>
        new Promise<void>((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason);
          const t = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          }, ms);
          const onAbort = (): void => {
            clearTimeout(t);
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
        }),
    };
    let body: RunBody;
    try {
      if (agent === undefined) throw new AgentError(`Agent ${r.agent_type} is not offered by this node`);
      const outcome = await agent.run(ctx);
      body = { kind: 'result', result: outcome.result, ...(outcome.metadata !== undefined ? { metadata: { ...outcome.metadata } } : {}) };
    } catch (err) {
      body = { kind: 'error', message: err instanceof Error ? err.message : String(err), retryable: err instanceof AgentError && err.retryable };
    }
    // Aborted: the server ended the run (cancel, fencing) or the node hands it back itself.
    if (signal.aborted && signal.reason !== 'draining') {
      this.drop(String(signal.reason));
      return;
    }
    if (signal.aborted) body = { kind: 'error', message: 'The node shut down during the run', retryable: true };
    this.finalSeq = this.post(body);
    this.checkDone();
  }
}
