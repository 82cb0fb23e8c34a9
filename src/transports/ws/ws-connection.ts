/**
 * One WebSocket connection: waits for `hello`, authenticates it into a Caller, then
 * answers requests and runs subscriptions (each a Runtime.stream, as SSE uses it,
 * previews included), all through one bounded sender.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { SwitchboardError, isSwitchboardError } from '../../core/domain/errors.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { isPreview, type StreamItem } from '../../core/domain/event.ts';
import type { Authenticator } from '../../core/ports/authenticator.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { eventJson, previewJson } from '../../wire/event.ts';
import {
  WS_PROTOCOL_VERSION,
  WsCloseCodes,
  helloMessage,
  requestMessage,
  type HelloResult,
  type RequestId,
  type RequestMessage,
} from '../../wire/ws-protocol.ts';
import type { CredentialWatch, WatchedConnection } from './credential-watch.ts';
import { WsSender, type WsSenderOptions } from './ws-sender.ts';
import { runTaskRequest } from './ws-requests.ts';
import { helloCloseCode, requestIdOf, validationError, wireError } from './ws-errors.ts';

export interface WsConnectionDeps {
  readonly runtime: Runtime;
  readonly authenticator: Authenticator;
  readonly watch: CredentialWatch;
  readonly logger: FastifyBaseLogger;
  /** Called once when the connection is cut off as a slow consumer. */
  readonly onCutOff: () => void;
}

export interface WsConnectionOptions extends WsSenderOptions {
  readonly heartbeatMs: number;
  readonly helloTimeoutMs: number;
  readonly maxSubscriptions: number;
  /** The upgrade request's bearer credential, used when hello carries none. */
  readonly headerCredential: string | undefined;
  /** The browser session cookie; set only when the request came from this server's own origin. */
  readonly cookieCredential: string | undefined;
}

interface Subscription {
  readonly controller: AbortController;
  readonly taskId: string;
  lastSeq: number;
  unsubscribed: boolean;
}

/** Requests answered at once per connection before it stops reading more. */
const MAX_IN_FLIGHT = 64;

export class WsConnection implements WatchedConnection {
  #caller: Caller | undefined;
  #credential = '';
  #hello: Promise<boolean> | undefined;
  #alive = true;
  #closed = false;
  #nextSub = 0;
  /** Subscribes being authorized (they count against the limit before they exist). */
  #opening = 0;
  /** Requests being answered; past MAX_IN_FLIGHT the socket stops reading (TCP pushes back on the client). */
  #inFlight = 0;
  readonly #subs = new Map<string, Subscription>();
  readonly #sender: WsSender;
  readonly #helloTimer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: WsConnectionDeps,
    private readonly options: WsConnectionOptions,
  ) {
    this.#sender = new WsSender(ws, options, (reason) => {
      deps.logger.warn({ userId: this.#caller?.principal.id, reason }, 'websocket cut off');
      deps.onCutOff();
    });
    this.#helloTimer = setTimeout(() => this.#close(WsCloseCodes.HELLO_TIMEOUT, 'no hello in time'), options.helloTimeoutMs);
    ws.on('message', (data, isBinary) => void this.#onMessage(data, isBinary));
    ws.on('pong', () => {
      this.#alive = true;
    });
    ws.on('close', () => this.#onClosed());
  }

  get credential(): string {
    return this.#credential;
  }

  get userId(): string {
    return this.#caller?.principal.id ?? '';
  }

  get peakBuffered(): number {
    return this.#sender.stats.peakBuffered;
  }

  refresh(caller: Caller): void {
    this.#caller = { ...caller, channel: 'websocket' };
  }

  revoke(err: SwitchboardError): void {
    this.#sendError(null, err);
    this.#close(WsCloseCodes.AUTH, 'credential revoked or expired');
  }

  /** One heartbeat tick: drops a connection that did not answer the last ping, else pings again. */
  heartbeat(): void {
    if (this.#closed) return;
    if (!this.#alive) {
      this.deps.logger.debug({ userId: this.userId }, 'websocket missed its pong');
      this.ws.terminate();
      return;
    }
    this.#alive = false;
    this.ws.ping();
  }

  /** Closes for a server shutdown. */
  goAway(): void {
    this.#close(WsCloseCodes.GOING_AWAY, 'server shutting down');
  }

  async #onMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (this.#closed) return;
    let message: unknown;
    try {
      if (isBinary) throw new SwitchboardError('VALIDATION_FAILED', 'Send JSON text frames');
      try {
        message = JSON.parse(data.toString());
      } catch {
        throw new SwitchboardError('MALFORMED_JSON', 'The message is not valid JSON');
      }
    } catch (err) {
      if (this.#beforeHello()) this.#refuseHello(null, err);
      else this.#sendError(null, err);
      return;
    }
    if (this.#caller === undefined) {
      // A client may send requests right behind its hello: they wait for it.
      if (this.#hello === undefined) {
        this.#hello = this.#onHello(message);
        return void (await this.#hello);
      }
      if (!(await this.#hello)) return;
    }
    await this.#onRequest(message);
  }

  #beforeHello(): boolean {
    return this.#hello === undefined;
  }

  async #onHello(message: unknown): Promise<boolean> {
    clearTimeout(this.#helloTimer);
    const id = requestIdOf(message);
    const parsed = helloMessage.safeParse(message);
    if (!parsed.success) {
      const err = (message as { type?: unknown } | null)?.type !== 'hello' ? new SwitchboardError('AUTH_REQUIRED', 'Say hello first: {"type": "hello", "protocol": 1, …}') : validationError(parsed.error);
      this.#refuseHello(id, err);
      return false;
    }
    const hello = parsed.data;
    if (hello.protocol !== WS_PROTOCOL_VERSION) {
      this.#refuseHello(hello.id, new SwitchboardError('WS_PROTOCOL_UNSUPPORTED', `This server speaks protocol ${WS_PROTOCOL_VERSION}, not ${hello.protocol}`, { supported: [WS_PROTOCOL_VERSION] }));
      return false;
    }
    const fromCookie = hello.token === undefined && this.options.headerCredential === undefined ? this.options.cookieCredential : undefined;
    const credential = hello.token ?? this.options.headerCredential ?? fromCookie;
    try {
      const caller = await this.deps.authenticator.authenticate(credential);
      if (fromCookie !== undefined && caller.via !== 'session') throw new SwitchboardError('AUTH_INVALID', 'The session cookie holds no session');
      if (this.#closed) return false;
      this.#credential = credential ?? '';
      this.refresh(caller);
      this.deps.watch.add(this);
    } catch (err) {
      this.#refuseHello(hello.id, err);
      return false;
    }
    const caller = this.#caller as Caller;
    const result: HelloResult = {
      protocol: WS_PROTOCOL_VERSION,
      user: { id: caller.principal.id, username: caller.principal.username, roles: [...caller.principal.roles] },
      session_id: caller.sessionId ?? null,
      heartbeat_ms: this.options.heartbeatMs,
      max_subscriptions: this.options.maxSubscriptions,
    };
    this.#sender.send(JSON.stringify({ type: 'result', id: hello.id, result }));
    this.deps.logger.debug({ userId: caller.principal.id, via: caller.via }, 'websocket ready');
    return true;
  }

  #refuseHello(id: RequestId | null, err: unknown): void {
    const e = this.#sendError(id, err);
    this.#close(helloCloseCode(e.code), 'hello refused');
  }

  async #onRequest(message: unknown): Promise<void> {
    const id = requestIdOf(message);
    const parsed = requestMessage.safeParse(message);
    if (!parsed.success) {
      const again = (message as { type?: unknown } | null)?.type === 'hello';
      this.#sendError(id, again ? new SwitchboardError('VALIDATION_FAILED', 'This connection already said hello') : validationError(parsed.error));
      return;
    }
    const m = parsed.data;
    this.#inFlight += 1;
    if (this.#inFlight === MAX_IN_FLIGHT) this.ws.pause();
    try {
      const result = await this.#dispatch(m);
      if (result !== undefined) this.#sender.send(JSON.stringify({ type: 'result', id: m.id, result }));
    } catch (err) {
      this.#sendError(m.id, err);
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === MAX_IN_FLIGHT - 1 && !this.#closed) this.ws.resume();
    }
  }

  /** The request's result; undefined when the handler answered itself. */
  async #dispatch(m: RequestMessage): Promise<unknown> {
    const caller = this.#caller as Caller;
    if (m.type === 'subscribe') {
      if (this.#subs.size + this.#opening >= this.options.maxSubscriptions) {
        throw new SwitchboardError('WS_SUBSCRIPTION_LIMIT', `At most ${this.options.maxSubscriptions} subscriptions per connection`, { max_subscriptions: this.options.maxSubscriptions });
      }
      const controller = new AbortController();
      this.#opening += 1;
      const events = await this.deps.runtime.stream(caller, m.task_id, { afterSeq: m.after_seq, signal: controller.signal }).finally(() => {
        this.#opening -= 1;
      });
      if (this.#closed) {
        controller.abort();
        return undefined;
      }
      this.#nextSub += 1;
      const name = `s${this.#nextSub}`;
      const sub: Subscription = { controller, taskId: m.task_id, lastSeq: m.after_seq, unsubscribed: false };
      this.#subs.set(name, sub);
      // The result goes out before the subscription's first event.
      this.#sender.send(JSON.stringify({ type: 'result', id: m.id, result: { subscription: name, task_id: m.task_id, after_seq: m.after_seq } }));
      void this.#pump(name, sub, events);
      return undefined;
    }
    if (m.type === 'unsubscribe') {
      const sub = this.#subs.get(m.subscription);
      if (sub === undefined) throw new SwitchboardError('WS_SUBSCRIPTION_NOT_FOUND', undefined, { subscription: m.subscription });
      sub.unsubscribed = true;
      this.#subs.delete(m.subscription);
      sub.controller.abort();
      return { subscription: m.subscription };
    }
    return runTaskRequest(this.deps.runtime, caller, m);
  }

  async #pump(name: string, sub: Subscription, events: AsyncIterable<StreamItem>): Promise<void> {
    const quoted = JSON.stringify(name);
    let failure: unknown;
    try {
      for await (const item of events) {
        if (!(await this.#sender.ready()) || sub.controller.signal.aborted) break;
        if (isPreview(item)) {
          if (!this.#sender.send(`{"type":"preview","subscription":${quoted},"preview":${previewJson(item)}}`)) break;
          continue;
        }
        if (!this.#sender.send(`{"type":"event","subscription":${quoted},"event":${eventJson(item)}}`)) break;
        sub.lastSeq = item.seq;
      }
    } catch (err) {
      failure = err;
    } finally {
      sub.controller.abort();
      if (this.#subs.get(name) === sub) this.#subs.delete(name);
    }
    if (sub.unsubscribed || this.#sender.isClosed) return;
    const end: Record<string, unknown> = { type: 'end', subscription: name, task_id: sub.taskId, last_seq: sub.lastSeq, reason: failure === undefined ? 'terminal' : 'error' };
    if (failure !== undefined) end['error'] = wireError(failure, this.deps.logger).error;
    this.#sender.send(JSON.stringify(end));
  }

  #sendError(id: RequestId | null, err: unknown): SwitchboardError {
    const body = wireError(err, this.deps.logger);
    this.#sender.send(JSON.stringify({ type: 'error', id, error: body.error }));
    return isSwitchboardError(err) ? err : new SwitchboardError('INTERNAL');
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    // A peer that never answers the close frame is dropped soon, not after ws's 30 s.
    const drop = setTimeout(() => this.ws.terminate(), 2000);
    drop.unref();
    this.ws.once('close', () => clearTimeout(drop));
    this.#release();
  }

  #onClosed(): void {
    this.#closed = true;
    this.#release();
  }

  #release(): void {
    clearTimeout(this.#helloTimer);
    this.#sender.close();
    this.deps.watch.remove(this);
    for (const sub of this.#subs.values()) sub.controller.abort();
    this.#subs.clear();
  }
}
