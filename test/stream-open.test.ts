/**
 * Opening a stream checks first: the secure runtime's `stream` and `exportAudit`
 * authorize when called (so a transport answers a refusal before writing a byte),
 * with one task read for the check, and then read only as they are iterated.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { adminCaller, startTestEngine, waitForTaskState, type TestEngine } from './helpers/test-engine.ts';
import { createEchoAgent } from '../src/agents/echo/echo-agent.ts';
import { createSecureRuntime } from '../src/security/authorization/secure-runtime.ts';
import { isSwitchboardError } from '../src/core/domain/errors.ts';
import type { Caller } from '../src/core/domain/caller.ts';
import type { Runtime, TaskEngine } from '../src/core/services/runtime.ts';
import type { AuditRecord } from '../src/core/domain/audit.ts';

const viewer: Caller = {
  principal: { id: 'u-viewer', username: 'vera', kind: 'user', roles: ['viewer'], grants: [] },
  via: 'system',
};

const refusedWith = (code: string) => (err: unknown) => isSwitchboardError(err) && err.code === code;

for (const dialect of DIALECTS) {
  describe(`opening a stream on ${dialect}`, () => {
    let t: TestEngine;
    let runtime: Runtime;
    const reads = { tasks: 0, events: 0 };

    before(async () => {
      t = await startTestEngine(dialect, [createEchoAgent()]);
      // The engine as the secure runtime sees it, counting what it reads.
      const counted: TaskEngine = {
        ...t.engine,
        findTask: (id) => {
          reads.tasks += 1;
          return t.engine.findTask(id);
        },
        stream: (caller, id, options) => {
          const inner = t.engine.stream(caller, id, options);
          return {
            [Symbol.asyncIterator]: () => {
              reads.events += 1;
              return inner[Symbol.asyncIterator]();
            },
          };
        },
      };
      runtime = createSecureRuntime(counted);
    });
    after(() => t.close());

    it("refuses someone else's task when opened, before anything is iterated, and audits the refusal", async () => {
      const { task } = await runtime.submit(adminCaller, { agentType: 'echo', prompt: 'mine', context: {} });
      reads.events = 0;
      await assert.rejects(runtime.stream(viewer, task.id), refusedWith('TASK_NOT_FOUND'));
      assert.equal(reads.events, 0, 'no event was read for a refused stream');
      const denials = await collect(await runtime.exportAudit(adminCaller, { eventType: 'permission.denied' }));
      assert.ok(denials.some((r) => r.userId === viewer.principal.id && r.resourceId === task.id));
    });

    it('reports an unknown task when opened', async () => {
      await assert.rejects(runtime.stream(adminCaller, 'no-such-task'), refusedWith('TASK_NOT_FOUND'));
    });

    it('checks with one task read, then reads the events only when iterated', async () => {
      const { task } = await runtime.submit(adminCaller, { agentType: 'echo', prompt: 'streamed', context: {} });
      await waitForTaskState(t.store, task.id, ['completed']);
      reads.tasks = 0;
      reads.events = 0;
      const events = await runtime.stream(adminCaller, task.id);
      assert.equal(reads.tasks, 1, 'the check read the task once');
      assert.equal(reads.events, 0, 'opening read no event');
      const items = await collect(events);
      assert.equal(reads.events, 1);
      const states = items.flatMap((e) => ('type' in e && e.type === 'state_change' ? [e.state] : []));
      assert.equal(states[states.length - 1], 'completed');
    });

    it('refuses an audit export to a caller without admin:system when opened', async () => {
      await assert.rejects(runtime.exportAudit(viewer, {}), refusedWith('AUTH_FORBIDDEN'));
      const mine = await collect(await runtime.exportAudit(adminCaller, { eventType: 'permission.denied' }));
      assert.ok(mine.some((r: AuditRecord) => r.userId === viewer.principal.id && r.resourceType === 'audit'));
    });
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
