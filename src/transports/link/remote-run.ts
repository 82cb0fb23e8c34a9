/**
 * One attempt of a task running on a remote node, seen from the server: it turns the
 * node's numbered run messages into calls on the engine's AgentRunContext, exactly
 * once each (a message re-sent after a reconnect is acknowledged again, not applied
 * again), and settles the adapter's promise with the node's outcome, an abort, or a
 * retryable failure when the node does not come back in time.
 */
import { AgentError } from '../../core/domain/errors.ts';
import type { Json } from '../../core/domain/json.ts';
import type { AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import { REQUEST_KINDS, type RunBody, type ServerMessage } from './link-protocol.ts';

/** Where a run sends its messages: the node's current socket (none while it is away). */
export type RunSender = (message: ServerMessage) => void;

export class RemoteRun {
  /** Highest message number applied (messages are applied in order, each once). */
  private processed = 0;
  /** Replies to requests, by their message number, re-sent when the request comes again. */
  private readonly replies = new Map<number, ServerMessage>();
  private chain: Promise<void> = Promise.resolve();
  private settled = false;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  readonly outcome: Promise<AgentOutcome>;
  private resolveOutcome!: (o: AgentOutcome) => void;
  private rejectOutcome!: (err: unknown) => void;

  constructor(
    readonly runId: string,
    readonly nodeId: string,
    private readonly ctx: AgentRunContext,
    private send: RunSender,
    private readonly onSettled: (run: RemoteRun) => void,
  ) {
    this.outcome = new Promise<AgentOutcome>((resolve, reject) => {
      this.resolveOutcome = resolve;
      this.rejectOutcome = reject;
    });
    const onAbort = (): void => {
      this.send({ type: 'cancel', run_id: runId, reason: String(ctx.signal.reason ?? 'aborted') });
      this.settle(() => this.rejectOutcome(ctx.signal.reason));
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  }

  get isSettled(): boolean {
    return this.settled;
  }

  get ackedSeq(): number {
    return this.processed;
  }

  get taskId(): string {
    return this.ctx.taskId;
  }

  /** The node is back (or away): later messages go to `send`, and a pending grace ends. */
  rebind(send: RunSender): void {
    this.send = send;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  /** The node's link dropped: the run waits `graceMs` for it, then fails retryably. */
  startGrace(graceMs: number): void {
    this.send = () => undefined;
    if (this.graceTimer !== undefined || this.settled) return;
    // Not unref'd: a run waiting for its node is work in progress (a shutdown aborts it, which clears this).
    this.graceTimer = setTimeout(() => this.fail(`Node ${this.nodeId} did not reconnect within ${graceMs} ms`), graceMs);
  }

  /** Ends the run with a retryable failure: the engine tries the task again (elsewhere, for a selector). */
  fail(message: string): void {
    this.settle(() => this.rejectOutcome(new AgentError(message, { retryable: true })));
  }

  /** One message from the node. */
  receive(seq: number, body: RunBody): void {
    if (this.settled) return;
    if (seq <= this.processed) {
      // Sent again after a reconnect: confirm again; a request gets its reply again (if it has one yet).
      this.send({ type: 'ack', run_id: this.runId, seq });
      const reply = this.replies.get(seq);
      if (reply !== undefined) this.send(reply);
      return;
    }
    // A gap means an earlier message is still on its way again; it is re-sent in order.
    if (seq !== this.processed + 1) return;
    this.processed = seq;
    this.send({ type: 'ack', run_id: this.runId, seq });
    this.chain = this.chain.then(() => this.apply(seq, body));
  }

  private async apply(seq: number, body: RunBody): Promise<void> {
    if (this.settled) return;
    const { ctx } = this;
    if (!REQUEST_KINDS.has(body.kind)) {
      switch (body.kind) {
        case 'emit':
          ctx.emit(body.emission);
          return;
        case 'stream':
          ctx.stream(body.text);
          return;
        case 'result':
          this.settle(() => this.resolveOutcome({ result: body.result, ...(body.metadata !== undefined ? { metadata: body.metadata } : {}) }));
          return;
        case 'error':
          this.settle(() => this.rejectOutcome(new AgentError(body.message, { retryable: body.retryable })));
          return;
        default:
          return;
      }
    }
    let reply: ServerMessage;
    try {
      const value = await this.request(body);
      reply = { type: 'reply', run_id: this.runId, seq, ok: true, ...(value !== undefined ? { value } : {}) };
    } catch (err) {
      reply = { type: 'reply', run_id: this.runId, seq, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    this.replies.set(seq, reply);
    this.send(reply);
  }

  private async request(body: RunBody): Promise<Json | undefined> {
    const { ctx } = this;
    switch (body.kind) {
      case 'phase':
        await ctx.setPhase(body.phase, body.message);
        return undefined;
      case 'ask':
        return ctx.ask(body.question);
      case 'memory_get':
        if (ctx.memory === undefined) throw new Error('The task has no session memory');
        return (await ctx.memory.get(body.key)) ?? null;
      case 'memory_set':
        if (ctx.memory === undefined) throw new Error('The task has no session memory');
        await ctx.memory.set(body.key, body.value);
        return undefined;
      default:
        return undefined;
    }
  }

  private settle(finish: () => void): void {
    if (this.settled) return;
    this.settled = true;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    finish();
    this.onSettled(this);
  }
}
