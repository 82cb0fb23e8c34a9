/** The CLI's event follower against a scripted server: resume, no duplicates, when to give up. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ConnectionError } from '../src/cli/cli-errors.ts';
import type { ApiClient } from '../src/cli/client.ts';
import { taskEvents } from '../src/cli/event-stream.ts';
import type { EventView } from '../src/wire/event.ts';

const TASK = '11111111-1111-4111-8111-111111111111';

function event(seq: number, state: string): EventView {
  return {
    task_id: TASK,
    seq,
    event_type: 'state_change',
    state,
    message: null,
    progress: null,
    metadata: null,
    timestamp: new Date(0).toISOString(),
  };
}

const frames = (events: readonly EventView[]): string => events.map((e) => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`).join('');

/** A body that sends `text` in small pieces (frames split mid-line), then ends or breaks. */
function body(text: string, end: 'close' | 'error'): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at < bytes.length) {
        controller.enqueue(bytes.slice(at, at + 7));
        at += 7;
      } else if (end === 'close') controller.close();
      else controller.error(new TypeError('terminated'));
    },
  });
}

/** A client whose event connections are answered by `script`, in order. */
function scriptedClient(script: readonly ((afterSeq: number) => ReadableStream<Uint8Array>)[]) {
  const afterSeqs: number[] = [];
  const client = {
    url: 'http://test',
    async openEvents(_id: string, afterSeq: number) {
      afterSeqs.push(afterSeq);
      const next = script[afterSeqs.length - 1];
      if (next === undefined) throw new ConnectionError('http://test', 'connection refused');
      return next(afterSeq);
    },
  } as unknown as ApiClient;
  return { client, afterSeqs };
}

async function collect(client: ApiClient, opts: { maxAttempts?: number } = {}) {
  const seqs: number[] = [];
  const reconnects: string[] = [];
  const signal = new AbortController().signal;
  for await (const e of taskEvents(client, TASK, { signal, retryMs: 1, onReconnect: (_n, why) => reconnects.push(why), ...opts })) {
    seqs.push(e.seq);
  }
  return { seqs, reconnects };
}

describe('taskEvents', () => {
  it('resumes after a dropped stream from the last seen sequence number, without duplicates', async () => {
    const { client, afterSeqs } = scriptedClient([
      () => body(`retry: 1\n\n${frames([event(1, 'pending'), event(2, 'running')])}`, 'error'),
      // A server that replays one event too many must not make it show twice.
      () => body(frames([event(2, 'running'), event(3, 'running'), event(4, 'completed')]), 'close'),
    ]);
    const { seqs, reconnects } = await collect(client);
    assert.deepEqual(seqs, [1, 2, 3, 4]);
    assert.deepEqual(afterSeqs, [0, 2]);
    assert.equal(reconnects.length, 1);
  });

  it('reconnects when the stream ends cleanly before the terminal event', async () => {
    const { client, afterSeqs } = scriptedClient([
      () => body(frames([event(1, 'pending')]), 'close'),
      () => body(`: keepalive\n\n${frames([event(2, 'failed')])}`, 'close'),
    ]);
    assert.deepEqual((await collect(client)).seqs, [1, 2]);
    assert.deepEqual(afterSeqs, [0, 1]);
  });

  it('stops at the terminal event without waiting for the server to close', async () => {
    const never = (): ReadableStream<Uint8Array> =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(frames([event(1, 'pending'), event(2, 'cancelled')])));
        },
      });
    const { client } = scriptedClient([never]);
    assert.deepEqual((await collect(client)).seqs, [1, 2]);
  });

  it('gives up on a refusal at once: retrying cannot fix a bad token', async () => {
    const client = {
      url: 'http://test',
      openEvents: async () => {
        throw new ApiError(401, 'AUTH_INVALID', 'The credential is not valid');
      },
    } as unknown as ApiClient;
    await assert.rejects(collect(client), (err: unknown) => err instanceof ApiError && err.code === 'AUTH_INVALID');
  });

  it('gives up with a connection error after maxAttempts failed connections in a row', async () => {
    const { client, afterSeqs } = scriptedClient([() => body(frames([event(1, 'running')]), 'error')]);
    await assert.rejects(collect(client, { maxAttempts: 3 }), ConnectionError);
    assert.deepEqual(afterSeqs, [0, 1, 1, 1]);
  });

  it('ends quietly when the caller aborts', async () => {
    const ac = new AbortController();
    const { client } = scriptedClient([() => body(frames([event(1, 'running')]), 'close')]);
    const seqs: number[] = [];
    for await (const e of taskEvents(client, TASK, { signal: ac.signal, retryMs: 1 })) {
      seqs.push(e.seq);
      ac.abort();
    }
    assert.deepEqual(seqs, [1]);
  });
});
