/** Authorization, visibility and the audit trail, through the real HTTP server on every database. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { submit, waitForState } from './helpers/api.ts';
import { waitFor } from './helpers/wait.ts';
import { verifyAuditChain } from '../src/security/audit/audit-chain.ts';
import type { AuditRecord } from '../src/core/domain/audit.ts';

async function auditRecords(t: TestApp): Promise<AuditRecord[]> {
  return [...(await t.app.store.tasks.listAudit(0, 100_000))];
}

for (const dialect of DIALECTS) {
  describe(`security on ${dialect}`, () => {
    let t: TestApp;
    let viewer: { userId: string; token: string };
    let guest: { userId: string; token: string };
    let devA: { userId: string; token: string };
    let devB: { userId: string; token: string };
    before(async () => {
      t = await startTestApp(dialect);
      viewer = await t.createUser('vera', ['viewer']);
      guest = await t.createUser('gus', ['guest']);
      devA = await t.createUser('ada', ['developer']);
      devB = await t.createUser('bob', ['developer']);
    });
    after(async () => t.close());

    it('refuses a submit by a role without task:submit and writes a permission.denied record', async () => {
      const res = await t.request('/api/runtime/tasks/submit', {
        method: 'POST',
        token: viewer.token,
        body: JSON.stringify({ agent_type: 'echo', prompt: 'not allowed' }),
      });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'AUTH_FORBIDDEN');
      const denied = (await auditRecords(t)).filter((r) => r.eventType === 'permission.denied' && r.userId === viewer.userId);
      assert.equal(denied.length, 1);
      assert.equal(denied[0]?.action, 'task:submit');
      assert.equal(denied[0]?.status, 'denied');
      const list = (await (await t.request('/api/runtime/tasks?limit=500')).json()) as { tasks: { prompt: string }[] };
      assert.ok(!list.tasks.some((x) => x.prompt === 'not allowed'));
    });

    it('lets a guest list agents but not tasks', async () => {
      assert.equal((await t.request('/api/runtime/agents', { token: guest.token })).status, 200);
      assert.equal((await t.request('/api/runtime/tasks', { token: guest.token })).status, 403);
    });

    it("hides another user's task (404, audited) while its owner and an admin see it", async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'mine' }, { token: devA.token });
      assert.equal((await t.request(`/api/runtime/tasks/${task.task_id}/state`, { token: devA.token })).status, 200);
      assert.equal((await t.request(`/api/runtime/tasks/${task.task_id}/state`)).status, 200);
      const other = await t.request(`/api/runtime/tasks/${task.task_id}/state`, { token: devB.token });
      assert.equal(other.status, 404);
      const cancel = await t.request(`/api/runtime/tasks/${task.task_id}/cancel`, { method: 'POST', token: devB.token });
      assert.equal(cancel.status, 404);
      const events = await t.request(`/api/runtime/tasks/${task.task_id}/events`, { token: devB.token });
      assert.equal(events.status, 404);
      const denied = (await auditRecords(t)).filter(
        (r) => r.eventType === 'permission.denied' && r.userId === devB.userId && r.resourceId === task.task_id,
      );
      assert.equal(denied.length, 3);
      const bList = (await (await t.request('/api/runtime/tasks?limit=500', { token: devB.token })).json()) as {
        tasks: { task_id: string }[];
      };
      assert.ok(!bList.tasks.some((x) => x.task_id === task.task_id));
      const forced = (await (
        await t.request(`/api/runtime/tasks?owner_id=${devA.userId}`, { token: devB.token })
      ).json()) as { tasks: { owner_id: string }[] };
      assert.ok(forced.tasks.every((x) => x.owner_id === devB.userId), 'owner_id filter is ignored for non-admins');
      const adminList = (await (await t.request(`/api/runtime/tasks?owner_id=${devA.userId}`)).json()) as {
        tasks: { task_id: string }[];
      };
      assert.ok(adminList.tasks.some((x) => x.task_id === task.task_id));
    });

    it('records the task lifecycle in the audit trail and the chain verifies', async () => {
      const ok = await submit(t, { agent_type: 'echo', prompt: 'audited' }, { token: devA.token });
      const bad = await submit(t, { agent_type: 'echo', prompt: 'audited', context: { fail: 'nope' } }, { token: devA.token });
      const slow = await submit(t, { agent_type: 'echo', prompt: 'audited', context: { delay_ms: 60_000 } }, { token: devA.token });
      await waitForState(t, ok.task_id, ['completed']);
      await waitForState(t, bad.task_id, ['failed']);
      await waitForState(t, slow.task_id, ['running']);
      assert.equal((await t.request(`/api/runtime/tasks/${slow.task_id}/cancel`, { method: 'POST', token: devA.token })).status, 200);
      // The cancelled run writes its agent.executed record once the agent has stopped: wait for it.
      await waitFor(
        async () => ((await auditRecords(t)).some((r) => r.eventType === 'agent.executed' && r.details['task_id'] === slow.task_id) ? true : undefined),
        'the cancelled run to be recorded',
      );
      const records = await auditRecords(t);
      const typesOf = (id: string): string[] => records.filter((r) => r.resourceId === id).map((r) => r.eventType);
      assert.deepEqual(typesOf(ok.task_id), ['task.submitted', 'task.started', 'task.completed']);
      assert.deepEqual(typesOf(bad.task_id), ['task.submitted', 'task.started', 'task.failed']);
      assert.deepEqual(typesOf(slow.task_id), ['task.submitted', 'task.started', 'task.cancelled']);
      assert.ok(records.every((r) => r.userId === devA.userId || r.resourceId !== ok.task_id));
      const verdict = await verifyAuditChain(t.app.store.tasks);
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
      assert.equal(verdict.checked, records.length);
    });

    it('detects an edited audit row and names it', async () => {
      const records = await auditRecords(t);
      const victim = records[Math.floor(records.length / 2)];
      assert.ok(victim);
      await sql`update audit_log set details = ${'{"edited":true}'} where seq = ${victim.seq}`.execute(t.app.store.db);
      const verdict = await verifyAuditChain(t.app.store.tasks);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.ok === false && verdict.brokenSeq, victim.seq);
    });
  });

  describe(`audit fails closed on ${dialect}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('refuses a submit whose audit record cannot be written, and stores no task', async () => {
      await sql`alter table audit_log rename to audit_log_gone`.execute(t.app.store.db);
      const res = await t.request('/api/runtime/tasks/submit', {
        method: 'POST',
        body: JSON.stringify({ agent_type: 'echo', prompt: 'unaudited' }),
      });
      assert.ok(res.status >= 500, `status ${res.status}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.doesNotMatch(body.error.message, /audit_log/); // internals are not exposed
      const rows = await sql<{ n: number }>`select count(*) as n from tasks where prompt = 'unaudited'`.execute(t.app.store.db);
      assert.equal(Number(rows.rows[0]?.n), 0);
      await sql`alter table audit_log_gone rename to audit_log`.execute(t.app.store.db);
    });
  });
}
