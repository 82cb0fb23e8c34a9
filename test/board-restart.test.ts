/**
 * A board card keeps following its execution across a restart, on every database:
 * the server stops while the execution waits, a new one starts on the same data,
 * picks the unfinished execution up again, and the card still ends where it should.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentAdapter } from '../src/core/ports/agent-adapter.ts';
import { DIALECTS, makeTestDatabase } from './helpers/databases.ts';
import { startTestApp } from './helpers/test-app.ts';
import { waitFor } from './helpers/wait.ts';

const asking: AgentAdapter = {
  info: { agentType: 'asking', name: 'Asking', description: 'asks, then answers with the answer', capabilities: [], metadata: { kind: 'test' } },
  retry: { maxAttempts: 3, backoffMs: 0 },
  isAvailable: async () => true,
  run: async (ctx) => ({ result: await ctx.ask('go on?') }),
};

for (const dialect of DIALECTS) {
  describe(`board across a restart on ${dialect}`, () => {
    it('resumes following an unfinished execution after the server restarts', async () => {
      const db = makeTestDatabase(dialect);
      const first = await startTestApp(dialect, { db, extraAgents: [asking] });
      // The admin exists from the first start on: its token works on the second too.
      const json = async (app: typeof first, method: string, path: string, body?: unknown) => {
        const res = await app.request(path, { method, token: first.adminToken, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        return (await res.json()) as Record<string, unknown>;
      };
      await json(first, 'POST', '/api/projects', { name: 'Restart', key: 'RST', default_agent_type: 'asking' });
      await json(first, 'POST', '/api/tasks', { project_id: 'RST', title: 'survive' });
      const exec = await json(first, 'POST', '/api/tasks/execute', { task_id: 'RST-1' });
      await waitFor(async () => ((await json(first, 'GET', '/api/tasks/RST-1'))['agent_execution_status'] === 'waiting' ? true : undefined), 'waiting');
      assert.equal((await json(first, 'GET', '/api/tasks/RST-1'))['status'], 'in_progress');
      await first.close();

      const second = await startTestApp(dialect, { db, extraAgents: [asking] });
      try {
        const id = String(exec['execution_uuid']);
        await waitFor(async () => ((await json(second, 'GET', `/api/runtime/tasks/${id}/state`))['state'] === 'waiting' ? true : undefined), 'waiting again');
        const answered = await second.request(`/api/runtime/tasks/${id}/answer`, { method: 'POST', token: first.adminToken, body: JSON.stringify({ answer: 'yes' }) });
        assert.equal(answered.status, 200);
        const card = await waitFor(async () => {
          const c = await json(second, 'GET', '/api/tasks/RST-1');
          return c['agent_execution_status'] === 'completed' ? c : undefined;
        }, 'the card to follow the execution to its end');
        assert.equal(card['status'], 'done');
      } finally {
        await second.close();
        await db.drop();
      }
    });
  });
}
