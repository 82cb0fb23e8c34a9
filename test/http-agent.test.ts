/** The generic HTTP agent (POST {api_url}/execute) through the real engine on SQLite, against a local server. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAgent, type HttpAgentOptions } from '../src/agents/http/http-agent.ts';
import { adminCaller, startTestEngine, waitForTaskState, type TestEngine } from './helpers/test-engine.ts';
import { waitFor } from './helpers/wait.ts';

const TOKEN = 'canary-token-93b1f0aa77';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { prompt?: string; context?: unknown };
}

/** A server that hands each request to `handler` and records it, and whether the client hung up first. */
async function startAgentServer(handler: (res: ServerResponse, index: number) => void) {
  const seen: Seen[] = [];
  const hungUp: number[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const index = seen.length;
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(raw || '{}') as Seen['body'] });
      res.on('close', () => {
        if (!res.writableFinished) hungUp.push(index);
      });
      handler(res, index);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  open.push(close);
  return { url, seen, hungUp };
}

const open: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function engineWith(options: Partial<HttpAgentOptions> & { apiUrl: string }): Promise<TestEngine> {
  const agent = createHttpAgent({ id: 'goose', headers: { Authorization: `Bearer ${TOKEN}` }, ...options });
  const t = await startTestEngine('sqlite', [agent]);
  open.push(t.close);
  return t;
}

async function run(t: TestEngine, context: Record<string, string> = {}) {
  const { task } = await t.engine.submit(adminCaller, { agentType: 'goose', prompt: 'fix the bug', context });
  const done = await waitForTaskState(t.store, task.id, ['completed', 'failed', 'cancelled']);
  return { done, events: await t.store.tasks.listEvents(task.id, 0, 1000) };
}

describe('http agent', () => {
  it('posts {prompt, context} to /execute and maps {result, metadata} onto the task', async () => {
    const s = await startAgentServer((res) => json(res, 200, { result: 'patched 2 files', metadata: { files: 2, engine: 'goose' } }));
    const t = await engineWith({ apiUrl: `${s.url}/agent/` });
    const { done, events } = await run(t, { repo: 'acme/web' });
    assert.equal(done.state, 'completed', done.error ?? '');
    assert.equal(done.result, 'patched 2 files');
    assert.equal(done.metadata['files'], 2);
    assert.equal(done.metadata['engine'], 'goose');
    assert.equal(s.seen[0]?.method, 'POST');
    assert.equal(s.seen[0]?.url, '/agent/execute');
    assert.deepEqual(s.seen[0]?.body, { prompt: 'fix the bug', context: { repo: 'acme/web' } });
    assert.equal(s.seen[0]?.headers['authorization'], `Bearer ${TOKEN}`);
    assert.ok(!JSON.stringify({ done, events }).includes(TOKEN), 'the header secret is stored nowhere');
  });

  it('fails with the status in the message on a non-2xx answer, without the header secret', async () => {
    const s = await startAgentServer((res) => json(res, 404, { detail: `no route (you sent Bearer ${TOKEN})` }));
    const t = await engineWith({ apiUrl: s.url, retry: { maxAttempts: 2, backoffMs: 1000 } });
    const { done } = await run(t);
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', /HTTP 404/);
    assert.ok(!(done.error ?? '').includes(TOKEN), done.error ?? '');
    assert.equal(s.seen.length, 1, 'a 404 is not retried');
  });

  it('retries a 503 honouring Retry-After, then completes', async () => {
    const s = await startAgentServer((res, i) =>
      i === 0 ? json(res, 503, { error: 'busy' }, { 'retry-after': '0' }) : json(res, 200, { result: { ok: true } }),
    );
    const t = await engineWith({ apiUrl: s.url, retry: { maxAttempts: 2, backoffMs: 60_000 } });
    const { done } = await run(t);
    assert.equal(done.state, 'completed', done.error ?? '');
    assert.deepEqual(done.result, { ok: true });
    assert.equal(s.seen.length, 2);
  });

  it('fails clearly when the answer is not JSON or has no result', async () => {
    const s = await startAgentServer((res, i) =>
      i === 0 ? res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>') : json(res, 200, { metadata: {} }),
    );
    const t = await engineWith({ apiUrl: s.url });
    assert.match((await run(t)).done.error ?? '', /not JSON/);
    assert.match((await run(t)).done.error ?? '', /without a "result"/);
  });

  it('reports {success: false, error} as a failure', async () => {
    const s = await startAgentServer((res) => json(res, 200, { success: false, error: 'could not clone' }));
    const t = await engineWith({ apiUrl: s.url });
    const { done } = await run(t);
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', /could not clone/);
  });

  it('aborts the request when the task is cancelled', async () => {
    const s = await startAgentServer(() => undefined); // never answers
    const t = await engineWith({ apiUrl: s.url });
    const { task } = await t.engine.submit(adminCaller, { agentType: 'goose', prompt: 'slow' });
    await waitFor(() => s.seen.length === 1, 'the request to arrive');
    assert.equal((await t.engine.cancel(adminCaller, task.id)).state, 'cancelled');
    await waitFor(() => s.hungUp.includes(0), 'the server to see the connection close');
  });

  it('gives up after timeout_ms with a retryable error', async () => {
    const s = await startAgentServer(() => undefined);
    const t = await engineWith({ apiUrl: s.url, timeoutMs: 100 });
    const { done } = await run(t);
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', /timed out after 100 ms/);
    await waitFor(() => s.hungUp.includes(0), 'the timed-out request to be closed');
  });

  it('streams SSE steps into output, progress and log events, then completes with the streamed result', async () => {
    const steps = [
      { type: 'progress', progress: 10, message: 'cloning' },
      { type: 'log', message: 'ran the tests' },
      ...Array.from({ length: 30 }, (_, i) => ({ type: 'output', text: `part${i} ` })),
      { type: 'result', result: 'all green', metadata: { files: 3 } },
    ];
    const s = await startAgentServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const st of steps) res.write(`data: ${JSON.stringify(st)}\n\n`);
      res.end();
    });
    const t = await engineWith({ apiUrl: s.url });
    const { done, events } = await run(t);
    assert.equal(done.state, 'completed', done.error ?? '');
    assert.equal(done.result, 'all green');
    assert.equal(done.metadata['files'], 3);
    assert.match(String(s.seen[0]?.headers['accept']), /text\/event-stream/);
    const outputs = events.filter((e) => e.type === 'output');
    assert.equal(outputs.map((e) => e.message).join(''), Array.from({ length: 30 }, (_, i) => `part${i} `).join(''));
    assert.ok(outputs.length < 30, 'streamed output is stored coalesced');
    assert.ok(events.some((e) => e.type === 'progress' && e.progress === 10 && e.message === 'cloning'));
    assert.ok(events.some((e) => e.type === 'log' && e.message === 'ran the tests'));
  });

  it('streams NDJSON steps, and reports a streamed error step as the failure', async () => {
    const s = await startAgentServer((res, i) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (i === 0) res.end(`${JSON.stringify({ type: 'output', text: 'hello' })}\n${JSON.stringify({ type: 'result', result: { ok: 1 } })}`);
      else res.end(`${JSON.stringify({ type: 'output', text: 'trying' })}\n${JSON.stringify({ type: 'error', error: 'tests failed' })}\n`);
    });
    const t = await engineWith({ apiUrl: s.url });
    const first = await run(t);
    assert.equal(first.done.state, 'completed', first.done.error ?? '');
    assert.deepEqual(first.done.result, { ok: 1 });
    assert.equal(first.events.filter((e) => e.type === 'output').map((e) => e.message).join(''), 'hello');
    const second = await run(t);
    assert.equal(second.done.state, 'failed');
    assert.match(second.done.error ?? '', /tests failed/);
  });

  it('fails a stream that ends without a result as retryable, and one with a malformed step at once', async () => {
    const s = await startAgentServer((res, i) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (i === 0) res.end(`${JSON.stringify({ type: 'output', text: 'half' })}\n`);
      else if (i === 1) res.end(`${JSON.stringify({ type: 'result', result: 'second try' })}\n`);
      else res.end('{not json\n');
    });
    const t = await engineWith({ apiUrl: s.url, retry: { maxAttempts: 2, backoffMs: 1 } });
    const retried = await run(t);
    assert.equal(retried.done.state, 'completed', retried.done.error ?? '');
    assert.equal(retried.done.result, 'second try');
    assert.equal(s.seen.length, 2);
    const malformed = await run(t);
    assert.equal(malformed.done.state, 'failed');
    assert.match(malformed.done.error ?? '', /not JSON/);
    assert.equal(s.seen.length, 3, 'a malformed step is not retried');
  });

  it('is unavailable while a referenced header variable is unset', async () => {
    const agent = createHttpAgent({ id: 'x', apiUrl: 'http://127.0.0.1:9', missingVariables: ['GOOSE_TOKEN'] });
    assert.equal(await agent.isAvailable(), false);
    await assert.rejects(agent.run({ signal: new AbortController().signal } as never), /GOOSE_TOKEN not set/);
  });
});
