/**
 * Streamed output over SSE on every database: an agent streams many small pieces; a
 * watcher gets them at once as `event: preview` frames (no id), the store gets a few
 * coalesced `output` events, and a client that prints previews and then each stored
 * chunk past its preview prints exactly the agent's text. A watcher that joins late
 * (Last-Event-ID) prints the rest without a hole or a repeat.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { framesOf, printed, type Frame } from './helpers/sse-frames.ts';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { submit, waitForState } from './helpers/api.ts';
import { streamingAgent } from './helpers/streamer.ts';

const PIECES = Array.from({ length: 120 }, (_, i) => `tok${i} `);
const FULL = PIECES.join('');

const streamer = streamingAgent(PIECES, 3);

/** Reads the SSE stream of a task to its end. */
async function readFrames(t: TestApp, taskId: string, lastEventId?: number): Promise<Frame[]> {
  return framesOf(
    await t.request(`/api/runtime/tasks/${taskId}/events`, {
      headers: { accept: 'text/event-stream', ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}) },
    }),
  );
}

for (const dialect of DIALECTS) {
  describe(`streamed output previews on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { extraAgents: [streamer] });
    });
    after(async () => t.close());

    it('shows every piece at once and stores the text coalesced', async () => {
      const task = await submit(t, { agent_type: 'streamer', prompt: 'go' });
      const frames = await readFrames(t, task.task_id);
      const previews = frames.filter((f) => f.event === 'preview');
      const outputs = frames.filter((f) => f.event !== 'preview' && f.data['event_type'] === 'output');
      assert.ok(previews.length > outputs.length, `${previews.length} previews, ${outputs.length} stored outputs`);
      assert.ok(outputs.length < PIECES.length / 4, `${outputs.length} stored output events for ${PIECES.length} pieces`);
      assert.ok(previews.every((f) => f.id === undefined), 'previews carry no id');
      assert.ok(frames.filter((f) => f.event !== 'preview').every((f) => f.id !== undefined), 'stored events carry their seq');
      assert.equal(printed(frames), FULL);
      // The stored history alone holds the whole text too.
      assert.equal(outputs.map((f) => String(f.data['message'])).join(''), FULL);
      await waitForState(t, task.task_id, ['completed']);
    });

    it('prints the rest exactly when resuming after a stored event', async () => {
      const task = await submit(t, { agent_type: 'streamer', prompt: 'go' });
      const first = await readFrames(t, task.task_id);
      const stored = first.filter((f) => f.event !== 'preview');
      const outputs = stored.filter((f) => f.data['event_type'] === 'output');
      const cut = outputs[1];
      assert.ok(cut !== undefined, 'at least two stored chunks');
      const seq = Number(cut.id);
      const before = stored.filter((f) => Number(f.id) <= seq && f.data['event_type'] === 'output').map((f) => String(f.data['message'])).join('');
      const rest = await readFrames(t, task.task_id, seq);
      assert.equal(before + printed(rest), FULL);
    });
  });
}
