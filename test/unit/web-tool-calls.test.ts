/** How the task page joins a tool call's events (web/src/tool-calls.ts): one item per call, its result added when it returns. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventItems, pretty } from '../../web/src/tool-calls.ts';
import type { EventView } from '../../web/src/wire.ts';

let seq = 0;
const event = (event_type: string, message: string, metadata: Record<string, unknown> | null = null): EventView =>
  ({ seq: ++seq, event_type, message, metadata, state: 'running', progress: null, created_at: '2026-12-07T00:00:00.000Z' }) as unknown as EventView;

describe('tool calls in the event list', () => {
  it('joins a call and its result by call id, and leaves other events as they are', () => {
    const items = eventItems([
      event('state_change', 'running'),
      event('log', 'tool call: shout', { tool: 'shout', call_id: 'c1', input: '{"text":"hi"}' }),
      event('log', 'tool call: deploy', { tool: 'deploy', call_id: 'c2', input: '{}' }),
      event('log', 'tool shout: ok (5 bytes)', { tool: 'shout', call_id: 'c1', status: 'ok', result: 'HI' }),
      event('log', 'plain log'),
    ]);
    assert.deepEqual(
      items.map((i) => (i.kind === 'tool' ? `${i.tool}:${i.status ?? 'running'}:${i.input}:${i.result}` : i.event.message)),
      ['running', 'shout:ok:{"text":"hi"}:HI', 'deploy:running:{}:null', 'plain log'],
    );
  });

  it('shows a result whose call was not seen (history cut) as a call of its own, and an error as an error', () => {
    const [item] = eventItems([event('log', 'tool x: error (boom)', { tool: 'x', call_id: 'c9', status: 'error', result: 'boom' })]);
    assert.equal(item?.kind, 'tool');
    assert.ok(item?.kind === 'tool' && item.status === 'error' && item.result === 'boom' && item.input === null);
  });

  it('indents JSON and leaves other text alone', () => {
    assert.equal(pretty('{"a":1}'), '{\n  "a": 1\n}');
    assert.equal(pretty('not json'), 'not json');
  });
});
