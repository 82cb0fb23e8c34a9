/**
 * Responses written straight to the socket (task event streams, audit exports).
 * The route authorizes first, so a refusal is still an ordinary JSON error; only
 * then does it hand the response over to `send`, which writes the head, lets the
 * body write with backpressure, and ends every open stream when the server closes
 * (an open stream would otherwise hold the close open).
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where a stream's body writes. */
export interface RawSink {
  /** Writes `chunk`; resolves once the socket can take more, or the stream has ended. */
  write(chunk: string): Promise<void>;
  /** Aborts when the client goes away or the server closes. */
  readonly signal: AbortSignal;
}

export interface RawStreamOptions {
  readonly headers: OutgoingHttpHeaders;
  /**
   * What a stream cut short (by an error or by the server closing) does: `end` the
   * response (an SSE client reconnects and resumes where it was) or `destroy` it
   * (a cut-off export must never pass for a whole one).
   */
  readonly cutShort: 'end' | 'destroy';
  /** Names the stream in the log line of a failure. */
  readonly name: string;
  /** Aborted with the sink's signal: lets a reader opened before the stream started see it end. */
  readonly controller?: AbortController;
}

export interface RawStreams {
  send(req: FastifyRequest, reply: FastifyReply, options: RawStreamOptions, body: (sink: RawSink) => Promise<void>): Promise<FastifyReply>;
}

/** The raw streams of `app`: one per app, so its close ends them all. */
export function rawStreams(app: FastifyInstance): RawStreams {
  const open = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const c of open) c.abort();
  });

  return {
    async send(req, reply, options, body) {
      const ac = options.controller ?? new AbortController();
      const { signal } = ac;
      open.add(ac);
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, options.headers);
      res.on('close', () => ac.abort());
      const sink: RawSink = {
        signal,
        write(chunk) {
          if (signal.aborted || res.write(chunk)) return Promise.resolve();
          return new Promise<void>((resolve) => {
            const done = (): void => {
              res.off('drain', done);
              signal.removeEventListener('abort', done);
              resolve();
            };
            res.once('drain', done);
            signal.addEventListener('abort', done, { once: true });
          });
        },
      };
      try {
        await body(sink);
        if (signal.aborted && options.cutShort === 'destroy') res.destroy();
        else res.end();
      } catch (err) {
        req.log.warn({ err, reqId: req.id }, `${options.name} ended with an error`);
        if (options.cutShort === 'destroy') res.destroy(err instanceof Error ? err : new Error(String(err)));
        else res.end();
      } finally {
        open.delete(ac);
      }
      return reply;
    },
  };
}
