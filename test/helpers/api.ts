/** Small typed helpers over the HTTP API for tests. */
import assert from 'node:assert/strict';
import type { TestApp } from './test-app.ts';
import { waitFor } from './wait.ts';

export interface WireTask {
  task_id: string;
  state: string;
  result: unknown;
  error: string | null;
  question: string | null;
  progress: number | null;
  attempt: number;
  last_seq: number;
  owner_id: string;
  [k: string]: unknown;
}

export interface WireEvent {
  task_id: string;
  seq: number;
  event_type: string;
  state: string;
  message: string | null;
  progress: number | null;
  metadata: Record<string, unknown> | null;
  timestamp: string;
}

export async function submit(
  t: TestApp,
  body: Record<string, unknown>,
  opts: { token?: string; headers?: Record<string, string> } = {},
): Promise<WireTask> {
  const res = await t.request('/api/runtime/tasks/submit', {
    method: 'POST',
    body: JSON.stringify(body),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
  const json = (await res.json()) as WireTask;
  assert.equal(res.status, 202, JSON.stringify(json));
  return json;
}

export async function getState(t: TestApp, id: string, token?: string): Promise<WireTask> {
  const res = await t.request(`/api/runtime/tasks/${id}/state`, token !== undefined ? { token } : {});
  assert.equal(res.status, 200);
  return (await res.json()) as WireTask;
}

export function waitForState(t: TestApp, id: string, states: readonly string[], timeoutMs?: number): Promise<WireTask> {
  return waitFor(
    async () => {
      const task = await getState(t, id);
      return states.includes(task.state) ? task : undefined;
    },
    `task ${id} to reach ${states.join('|')}`,
    timeoutMs,
  );
}

export async function eventsOf(t: TestApp, id: string, afterSeq = 0): Promise<WireEvent[]> {
  const res = await t.request(`/api/runtime/tasks/${id}/events?after_seq=${afterSeq}`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as WireEvent[];
}

/** Reads an SSE response to its end; returns the parsed frames (id + JSON data). */
export async function readSse(res: Response): Promise<{ id: number; data: WireEvent }[]> {
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const text = await res.text();
  const frames: { id: number; data: WireEvent }[] = [];
  for (const block of text.split('\n\n')) {
    const id = /^id: (\d+)$/m.exec(block);
    const data = /^data: (.*)$/m.exec(block);
    if (id && data) frames.push({ id: Number(id[1]), data: JSON.parse(data[1] ?? '') as WireEvent });
  }
  return frames;
}
