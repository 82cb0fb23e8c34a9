/** The HTTP API end to end: a real server on loopback, on every database. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { eventsOf, getState, readSse, submit, waitForState, type WireTask } from './helpers/api.ts';

for (const dialect of DIALECTS) {
  describe(`HTTP API on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { env: { SWITCHBOARD_BODY_LIMIT: '4096' } });
    });
    after(async () => t.close());

    it('acknowledges a submit with 202 and runs echo to completion with the prompt as result', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'hello' });
      assert.equal(task.state, 'pending');
      assert.match(task.task_id, /^[0-9a-f-]{36}$/);
      assert.match(String(task['execution_uuid']), /^[0-9a-f-]{36}$/);
      const done = await waitForState(t, task.task_id, ['completed']);
      assert.equal(done.result, 'hello');
      assert.equal(done['success'], true);
      assert.equal(typeof done['execution_time'], 'number');
      const events = await eventsOf(t, task.task_id);
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i + 1),
      );
      assert.deepEqual(
        events.filter((e) => e.event_type === 'state_change').map((e) => e.state),
        ['pending', 'running', 'completed'],
      );
    });

    it('returns the same task for a repeated Idempotency-Key and 409 for the key on another request', async () => {
      const headers = { 'idempotency-key': `key-${dialect}-1` };
      const a = await submit(t, { agent_type: 'echo', prompt: 'once' }, { headers });
      const b = await submit(t, { agent_type: 'echo', prompt: 'once' }, { headers });
      assert.equal(b.task_id, a.task_id);
      const res = await t.request('/api/runtime/tasks/submit', {
        method: 'POST',
        headers,
        body: JSON.stringify({ agent_type: 'echo', prompt: 'something else' }),
      });
      assert.equal(res.status, 409);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'IDEMPOTENCY_CONFLICT');
      const list = (await (await t.request('/api/runtime/tasks?limit=500')).json()) as { tasks: WireTask[] };
      assert.equal(list.tasks.filter((x) => x.prompt === 'once').length, 1);
    });

    it('creates exactly one task when the same key is submitted concurrently', async () => {
      const headers = { 'idempotency-key': `key-${dialect}-race` };
      const results = await Promise.all(
        Array.from({ length: 8 }, () => submit(t, { agent_type: 'echo', prompt: 'race' }, { headers })),
      );
      assert.equal(new Set(results.map((r) => r.task_id)).size, 1);
    });

    const badRequests: [string, RequestInit & { token?: string | null }, number, string][] = [
      ['malformed JSON', { method: 'POST', body: '{"agent_type": "echo",' }, 400, 'MALFORMED_JSON'],
      ['a missing prompt', { method: 'POST', body: JSON.stringify({ agent_type: 'echo' }) }, 400, 'VALIDATION_FAILED'],
      ['an unknown field', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'x', bogus: 1 }) }, 400, 'VALIDATION_FAILED'],
      ['a wrongly typed context', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'x', context: 'no' }) }, 400, 'VALIDATION_FAILED'],
      ['an unknown agent', { method: 'POST', body: JSON.stringify({ agent_type: 'nope', prompt: 'x' }) }, 422, 'AGENT_NOT_FOUND'],
      ['an oversize body', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'x'.repeat(10_000) }) }, 413, 'BODY_TOO_LARGE'],
      ['no credential', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'x' }), token: null }, 401, 'AUTH_REQUIRED'],
      ['a wrong token', { method: 'POST', body: JSON.stringify({ agent_type: 'echo', prompt: 'x' }), token: 'sbt_wrongwrongwrongwrong' }, 401, 'AUTH_INVALID'],
    ];
    for (const [what, init, status, code] of badRequests) {
      it(`answers ${what} on submit with ${status} ${code}`, async () => {
        const res = await t.request('/api/runtime/tasks/submit', init);
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(res.status, status, JSON.stringify(body));
        assert.equal(body.error.code, code);
        assert.ok(body.error.message.length > 0);
        assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+/); // no stack trace
      });
    }

    it('answers a malformed task id with 400 and an unknown one with 404', async () => {
      const bad = await t.request('/api/runtime/tasks/not-a-uuid/state');
      assert.equal(bad.status, 400);
      const missing = await t.request(`/api/runtime/tasks/${crypto.randomUUID()}/state`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'TASK_NOT_FOUND');
      const route = await t.request('/api/no/such/route');
      assert.equal(route.status, 404);
    });

    it('fails a task whose agent fails, with the reason', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'x', context: { fail: 'boom' } });
      const done = await waitForState(t, task.task_id, ['failed']);
      assert.equal(done.error, 'boom');
      assert.equal(done['success'], false);
    });

    it('lists tasks newest first with filters and cursor pagination', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await submit(t, { agent_type: 'echo', prompt: `page-${i}`, project_id: `p-${dialect}` })).task_id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `/api/runtime/tasks?project_id=p-${dialect}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await (await t.request(q)).json()) as { tasks: WireTask[]; next_cursor: string | null };
        assert.ok(page.tasks.length <= 2);
        seen.push(...page.tasks.map((x) => x.task_id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      assert.deepEqual(seen, [...ids].reverse());
      for (const id of ids) await waitForState(t, id, ['completed']);
      const completed = (await (await t.request(`/api/runtime/tasks?project_id=p-${dialect}&state=completed,failed`)).json()) as {
        tasks: WireTask[];
      };
      assert.equal(completed.tasks.length, 5);
      const none = (await (await t.request(`/api/runtime/tasks?project_id=p-${dialect}&state=pending`)).json()) as { tasks: WireTask[] };
      assert.equal(none.tasks.length, 0);
      const badState = await t.request('/api/runtime/tasks?state=bogus');
      assert.equal(badState.status, 400);
      const badCursor = await t.request('/api/runtime/tasks?cursor=zzz');
      assert.equal(badCursor.status, 400);
    });

    it('cancels a sleeping task quickly and refuses to cancel it again with 409', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'zzz', context: { delay_ms: 60_000 } });
      await waitForState(t, task.task_id, ['running']);
      const res = await t.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as WireTask).state, 'cancelled');
      const again = await t.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST' });
      assert.equal(again.status, 409);
      assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'TASK_TERMINAL');
      const events = await eventsOf(t, task.task_id);
      assert.equal(events.at(-1)?.state, 'cancelled');
    });

    it('puts an asking task in waiting until it is answered, then completes with the answer', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'q', context: { ask: 'Which colour?' } });
      const waiting = await waitForState(t, task.task_id, ['waiting']);
      assert.equal(waiting.question, 'Which colour?');
      const early = await t.request(`/api/runtime/tasks/${crypto.randomUUID()}/answer`, {
        method: 'POST',
        body: JSON.stringify({ answer: 'x' }),
      });
      assert.equal(early.status, 404);
      const res = await t.request(`/api/runtime/tasks/${task.task_id}/answer`, {
        method: 'POST',
        body: JSON.stringify({ answer: 'blue' }),
      });
      assert.equal(res.status, 200);
      const done = await waitForState(t, task.task_id, ['completed']);
      assert.deepEqual(done.result, { prompt: 'q', answer: 'blue' });
      const again = await t.request(`/api/runtime/tasks/${task.task_id}/answer`, {
        method: 'POST',
        body: JSON.stringify({ answer: 'red' }),
      });
      assert.equal(again.status, 409);
      assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'TASK_NOT_WAITING');
    });

    it('cancels a waiting task', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'q', context: { ask: 'Still there?' } });
      await waitForState(t, task.task_id, ['waiting']);
      const res = await t.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.equal((await getState(t, task.task_id)).state, 'cancelled');
    });

    it('streams events over SSE with ids = sequence numbers and closes after the terminal event', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'sse', context: { delay_ms: 300, progress_interval_ms: 50 } });
      const frames = await readSse(await t.request(`/api/runtime/tasks/${task.task_id}/events`));
      assert.deepEqual(
        frames.map((f) => f.id),
        frames.map((_, i) => i + 1),
      );
      assert.ok(frames.some((f) => f.data.event_type === 'progress'));
      assert.equal(frames.at(-1)?.data.state, 'completed');
      assert.ok(frames.every((f) => f.id === f.data.seq));
    });

    it('resumes an SSE stream after Last-Event-ID without gaps or repeats', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'resume', context: { delay_ms: 200, progress_interval_ms: 50 } });
      await waitForState(t, task.task_id, ['completed']);
      const all = await eventsOf(t, task.task_id);
      const resumed = await readSse(await t.request(`/api/runtime/tasks/${task.task_id}/events`, { headers: { 'last-event-id': '2' } }));
      assert.deepEqual(
        resumed.map((f) => f.id),
        all.filter((e) => e.seq > 2).map((e) => e.seq),
      );
      const bad = await t.request(`/api/runtime/tasks/${task.task_id}/events`, { headers: { 'last-event-id': 'abc' } });
      assert.equal(bad.status, 400);
    });

    it('lists agents and skills', async () => {
      const agents = (await (await t.request('/api/runtime/agents')).json()) as { agent_type: string; available: boolean }[];
      assert.ok(agents.some((a) => a.agent_type === 'echo' && a.available));
      const skills = await t.request('/api/runtime/skills');
      assert.equal(skills.status, 200);
      assert.ok(Array.isArray(await skills.json()));
    });

    it('serves health, metrics, the OpenAPI document and the docs page without a token', async () => {
      const health = (await (await fetch(`${t.url}/health`)).json()) as { status: string; database: string };
      assert.equal(health.status, 'ok');
      assert.equal(health.database, dialect);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      assert.match(metrics, /switchboard_tasks_submitted_total/);
      const spec = (await (await fetch(`${t.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      for (const p of [
        '/api/runtime/tasks/submit',
        '/api/runtime/tasks/{task_id}/state',
        '/api/runtime/tasks',
        '/api/runtime/tasks/{task_id}/cancel',
        '/api/runtime/tasks/{task_id}/answer',
        '/api/runtime/tasks/{task_id}/events',
        '/api/runtime/agents',
        '/api/runtime/skills',
      ]) {
        assert.ok(p in spec.paths, `${p} is documented`);
      }
      const docs = await fetch(`${t.url}/docs`, { redirect: 'follow' });
      assert.equal(docs.status, 200);
    });
  });
}
