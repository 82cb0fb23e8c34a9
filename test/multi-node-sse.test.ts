/**
 * Two nodes on one PostgreSQL schema, polling slowly (60 s) so that nothing but the
 * change feed can carry news between them: a task submitted to node A runs on A
 * (the submit wakes A's scheduler), and node B is the other side.
 * - An SSE watcher on B sees every event of A's task as it happens and the stream
 *   ends with the terminal event, exactly as a watcher on A does.
 * - A question asked on A and answered through B resumes at once.
 * - A task running on A and cancelled through B stops running on A at once (not at
 *   A's next lease renewal, 10 s away).
 * - A board change made on A reaches a board stream on B.
 * - Text streamed by an agent on A reaches a watcher on B as live previews, and what
 *   that watcher prints is exactly the agent's text.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { readSse, submit, waitForState } from './helpers/api.ts';
import { nextNotice, throughOther } from './helpers/change-feed.ts';
import { framesOf, printed } from './helpers/sse-frames.ts';
import { streamingAgent } from './helpers/streamer.ts';

const PIECES = Array.from({ length: 150 }, (_, i) => `piece${i} `);

const streamer = streamingAgent(PIECES, 5);

const SLOW_POLL = { SWITCHBOARD_POLL_MS: '60000' };

for (const dialect of DIALECTS.filter((d) => d === 'postgres')) {
  describe(`event streams across nodes on ${dialect}`, () => {
    let a: TestApp;
    let b: TestApp;
    let viaB: TestApp;

    before(async () => {
      a = await startTestApp(dialect, { env: SLOW_POLL, extraAgents: [streamer] });
      b = await startTestApp(dialect, { db: a.db, env: SLOW_POLL, extraAgents: [streamer] });
      viaB = throughOther(a, b);
      await Promise.all([nextNotice(a, 'up'), nextNotice(b, 'up')]);
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    it('streams a task running on node A to a watcher on node B, live, to its end', async () => {
      const task = await submit(a, { agent_type: 'echo', prompt: 'far away', context: { delay_ms: 1500, progress_interval_ms: 100 } });
      const watch = (t: TestApp) =>
        t.request(`/api/runtime/tasks/${task.task_id}/events`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(30_000) }).then(readSse);
      const [onA, onB] = await Promise.all([watch(a), watch(viaB)]);
      const last = onA[onA.length - 1];
      assert.equal(last?.data.state, 'completed');
      assert.deepEqual(onA.map((f) => f.id), onA.map((_, i) => i + 1), 'A: every event, in order');
      assert.deepEqual(onB.map((f) => f.id), onA.map((f) => f.id), 'B: the same events as A');
      assert.deepEqual(onB.map((f) => f.data.message), onA.map((f) => f.data.message));
      assert.ok(onB.filter((f) => f.data.event_type === 'progress').length >= 10, 'B saw the progress as it came');
    });

    it('brings the live previews of text streamed on node A to a watcher on node B', async () => {
      const task = await submit(a, { agent_type: 'streamer', prompt: 'stream' });
      const watch = (t: TestApp) =>
        t.request(`/api/runtime/tasks/${task.task_id}/events`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(30_000) }).then(framesOf);
      const [onA, onB] = await Promise.all([watch(a), watch(viaB)]);
      const previewsB = onB.filter((f) => f.event === 'preview');
      const storedB = onB.filter((f) => f.event !== 'preview' && f.data['event_type'] === 'output');
      assert.ok(previewsB.length > 0, 'B saw previews');
      assert.ok(previewsB.some((f) => String(f.data['text']).length > 0));
      assert.equal(printed(onB), PIECES.join(''), 'B prints exactly the text');
      assert.equal(printed(onA), PIECES.join(''), 'A prints exactly the text');
      // The previews carried text B showed before the chunk holding it was stored.
      const previewed = previewsB.reduce((n, f) => n + String(f.data['text']).length, 0);
      assert.ok(previewed > 0 && storedB.length > 0, `${previewed} characters previewed on B`);
    });

    it('resumes a question asked on node A when it is answered through node B', async () => {
      const task = await submit(a, { agent_type: 'echo', prompt: 'q', context: { ask: 'which node?' } });
      const waiting = await waitForState(viaB, task.task_id, ['waiting']);
      assert.deepEqual(waiting.waiting, { kind: 'question' });
      const answered = await viaB.request(`/api/runtime/tasks/${task.task_id}/answer`, { method: 'POST', body: JSON.stringify({ answer: 'B' }) });
      assert.equal(answered.status, 200);
      // Polling every 60 s would take far longer than this wait allows.
      const done = await waitForState(a, task.task_id, ['completed'], 10_000);
      assert.deepEqual(done.result, { prompt: 'q', answer: 'B' });
    });

    it('stops a task running on node A when it is cancelled through node B', async () => {
      const task = await submit(a, { agent_type: 'echo', prompt: 'long', context: { delay_ms: 60_000 } });
      await waitForState(viaB, task.task_id, ['running']);
      assert.equal(a.app.engine.activeCount, 1);
      const cancelled = await viaB.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST' });
      assert.equal(cancelled.status, 200);
      const deadline = Date.now() + 5_000;
      while (a.app.engine.activeCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(a.app.engine.activeCount, 0, 'node A let go of the cancelled task');
      assert.equal((await waitForState(a, task.task_id, ['cancelled'])).state, 'cancelled');
    });

    it("brings a board change made on node A to a board stream on node B", { timeout: 20_000 }, async () => {
      const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
      assert.equal((await a.request('/api/projects', json({ name: 'Far board', key: 'FAR' }))).status, 201);
      const controller = new AbortController();
      const res = await viaB.request('/api/projects/FAR/events', { signal: controller.signal });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      let text = '';
      const created = (await a.request('/api/tasks', json({ project_id: 'FAR', title: 'made on A' }))).status;
      assert.equal(created, 201);
      // B polls every 60 s: only the database's notification can bring this before the test times out.
      while (!text.includes('"task_key":"FAR-1"')) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
      controller.abort();
      assert.match(text, /"kind":"created"/);
    });
  });
}
