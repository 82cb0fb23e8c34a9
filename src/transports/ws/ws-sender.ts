/**
 * Sending to one WebSocket with bounded memory. Every frame goes through `send`; once
 * more than `sendLimit` bytes wait unsent (the client stopped reading), the connection
 * is cut off as a slow consumer: nothing more is queued, a close frame with the reason
 * follows what is queued, and the socket is destroyed after a grace period. Streams
 * call `ready()` between frames: above the high-water mark (a quarter of the limit)
 * they wait for the queue to drain, so a replay paces itself to the client; a client
 * that does not drain within `stallMs` is cut off too, so nothing piles up behind it.
 */
import type { WebSocket } from 'ws';
import { WsCloseCodes } from '../../wire/ws-protocol.ts';

export interface WsSenderOptions {
  /** Most bytes queued unsent before the connection is cut off. */
  readonly sendLimit: number;
  /** Longest wait for a backed-up connection to drain. */
  readonly stallMs: number;
}

/** What the sender reports about itself (for metrics and tests). */
export interface WsSendStats {
  /** The most bytes ever queued unsent on this connection. */
  readonly peakBuffered: number;
}

export class WsSender {
  #cutOff = false;
  #peak = 0;
  #drained: { promise: Promise<boolean>; resolve: (ok: boolean) => void; timer: NodeJS.Timeout } | undefined;
  readonly #highWater: number;
  readonly #onWritten = (): void => this.#checkDrained();

  constructor(
    private readonly ws: WebSocket,
    private readonly options: WsSenderOptions,
    private readonly onCutOff: (reason: string) => void,
  ) {
    this.#highWater = Math.max(1024, Math.floor(options.sendLimit / 4));
  }

  /** True once the connection was cut off or is closing: nothing more is sent. */
  get isClosed(): boolean {
    return this.#cutOff || this.ws.readyState !== this.ws.OPEN;
  }

  get stats(): WsSendStats {
    return { peakBuffered: this.#peak };
  }

  /** Queues one text frame; false when nothing is sent any more. */
  send(text: string): boolean {
    if (this.isClosed) return false;
    this.ws.send(text, this.#onWritten);
    const queued = this.ws.bufferedAmount;
    if (queued > this.#peak) this.#peak = queued;
    if (queued > this.options.sendLimit) {
      this.cutOff(`slow consumer: more than ${this.options.sendLimit} bytes unread`);
      return false;
    }
    return true;
  }

  /** Resolves true when more may be sent now, false when the connection is gone (or was cut off while waiting). */
  ready(): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(false);
    if (this.ws.bufferedAmount <= this.#highWater) return Promise.resolve(true);
    if (this.#drained === undefined) {
      let resolve: (ok: boolean) => void = () => undefined;
      const promise = new Promise<boolean>((r) => {
        resolve = r;
      });
      const timer = setTimeout(() => this.cutOff(`slow consumer: nothing read for ${this.options.stallMs} ms`), this.options.stallMs);
      this.#drained = { promise, resolve, timer };
    }
    return this.#drained.promise;
  }

  /** Stops sending and closes with the slow-consumer code; the socket is destroyed if the close does not finish in time. */
  cutOff(reason: string): void {
    if (this.#cutOff) return;
    this.#cutOff = true;
    this.#release(false);
    this.onCutOff(reason);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(WsCloseCodes.SLOW_CONSUMER, reason);
    const grace = setTimeout(() => this.ws.terminate(), Math.max(1000, this.options.stallMs));
    grace.unref();
    this.ws.once('close', () => clearTimeout(grace));
  }

  /** Wakes every waiting stream with `false` (the connection closed). */
  close(): void {
    this.#release(false);
  }

  #checkDrained(): void {
    if (this.#drained !== undefined && (this.isClosed || this.ws.bufferedAmount <= this.#highWater / 2)) this.#release(!this.isClosed);
  }

  #release(ok: boolean): void {
    const d = this.#drained;
    if (d === undefined) return;
    this.#drained = undefined;
    clearTimeout(d.timer);
    d.resolve(ok);
  }
}
