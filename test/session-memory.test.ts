/**
 * Session memory and history over HTTP on every database: JSON values per key with
 * audit records that name keys and never values; only a caller acting in that very
 * session reaches them (another session of the same user, the user's API token,
 * another user and an admin all get 404, audited); the size limits; the history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { submit, waitForState } from './helpers/api.ts';
import type { AuditRecord } from '../src/core/domain/audit.ts';

interface Session { session_id: string; token: string }
interface Entry { key: string; value: unknown; updated_at: string }

const codeOf = async (res: Response): Promise<string> => ((await res.json()) as { error: { code: string } }).error.code;

for (const dialect of DIALECTS) {
  describe(`session memory and history on ${dialect}`, () => {
    let t: TestApp;
    let ada: { userId: string; token: string };
    let bob: { userId: string; token: string };
    const audit = async (): Promise<AuditRecord[]> => [...(await t.app.store.tasks.listAudit(0, 100_000))];
    const newSession = async (token: string): Promise<Session> => {
      const res = await t.request('/api/runtime/sessions', { method: 'POST', token, body: '{}' });
      assert.equal(res.status, 201);
      return (await res.json()) as Session;
    };
    const mem = (s: Session, key?: string): string =>
      `/api/runtime/sessions/${s.session_id}/memory${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;
    const put = (s: Session, key: string, value: unknown, token = s.token) =>
      t.request(mem(s, key), { method: 'PUT', token, body: JSON.stringify({ value }) });

    before(async () => {
      t = await startTestApp(dialect);
      ada = await t.createUser('ada', ['developer']);
      bob = await t.createUser('bob', ['developer']);
    });
    after(async () => t.close());

    it('stores JSON values by key, lists, replaces and deletes them; audit names keys, never values', async () => {
      const s = await newSession(ada.token);
      const set = await put(s, 'colour', { name: 'teal-canary-value', shades: [1, 2] });
      assert.equal(set.status, 200);
      assert.deepEqual(((await set.json()) as Entry).value, { name: 'teal-canary-value', shades: [1, 2] });
      assert.equal((await put(s, 'count', 3)).status, 200);
      assert.equal((await put(s, 'a key/with spaces é', null)).status, 200);
      const listed = (await (await t.request(mem(s), { token: s.token })).json()) as { session_id: string; entries: Entry[] };
      assert.equal(listed.session_id, s.session_id);
      assert.deepEqual(listed.entries.map((e) => e.key), ['a key/with spaces é', 'colour', 'count']);
      assert.equal((await put(s, 'count', 'four')).status, 200);
      const one = (await (await t.request(mem(s, 'count'), { token: s.token })).json()) as Entry;
      assert.equal(one.value, 'four');
      const del = await t.request(mem(s, 'colour'), { method: 'DELETE', token: s.token });
      assert.equal(del.status, 200);
      const gone = await t.request(mem(s, 'colour'), { token: s.token });
      assert.equal(gone.status, 404);
      assert.equal(await codeOf(gone), 'SESSION_MEMORY_KEY_NOT_FOUND');
      assert.equal((await t.request(mem(s, 'colour'), { method: 'DELETE', token: s.token })).status, 404);

      const records = (await audit()).filter((r) => r.resourceType === 'session_memory' && r.resourceId === s.session_id);
      assert.ok(records.some((r) => r.eventType === 'resource.modified' && r.details['key'] === 'colour' && r.sessionId === s.session_id && r.userId === ada.userId));
      assert.ok(records.some((r) => r.eventType === 'resource.deleted' && r.details['key'] === 'colour'));
      assert.ok(records.some((r) => r.eventType === 'resource.accessed' && r.details['key'] === 'count'));
      assert.ok(records.some((r) => r.eventType === 'resource.accessed' && r.details['key_count'] === 3));
      assert.ok(!JSON.stringify(records).includes('teal-canary-value'));
      assert.ok(!JSON.stringify(records).includes('four'));
    });

    it("keeps two sessions of one user apart; the user's API token and an admin get 404 too (audited)", async () => {
      const s1 = await newSession(ada.token);
      const s2 = await newSession(ada.token);
      assert.equal((await put(s1, 'plan', 'only for s1')).status, 200);
      const outsiders = [
        { who: 'another session of the same user', token: s2.token },
        { who: "the user's API token", token: ada.token },
        { who: 'an admin', token: t.adminToken },
      ];
      for (const { who, token } of outsiders) {
        const reads = [
          await t.request(mem(s1), { token }),
          await t.request(mem(s1, 'plan'), { token }),
          await put(s1, 'plan', 'overwritten', token),
          await t.request(mem(s1, 'plan'), { method: 'DELETE', token }),
          await t.request(`/api/runtime/sessions/${s1.session_id}/history`, { token }),
        ];
        for (const res of reads) {
          assert.equal(res.status, 404, who);
          assert.equal(await codeOf(res), 'SESSION_NOT_FOUND', who);
        }
      }
      const still = (await (await t.request(mem(s1, 'plan'), { token: s1.token })).json()) as Entry;
      assert.equal(still.value, 'only for s1');
      const own = (await (await t.request(mem(s2), { token: s2.token })).json()) as { entries: Entry[] };
      assert.deepEqual(own.entries, []);
      const denials = (await audit()).filter((r) => r.eventType === 'permission.denied' && r.resourceId === s1.session_id);
      assert.ok(denials.some((r) => r.userId === ada.userId && r.sessionId === s2.session_id && r.resourceType === 'session_memory' && r.action === 'session_memory.set'));
      assert.ok(denials.some((r) => r.userId === ada.userId && r.sessionId === null && r.action === 'session_memory.read'));
      assert.ok(denials.some((r) => r.resourceType === 'session_history'));
    });

    it('keeps two users apart', async () => {
      const a = await newSession(ada.token);
      const b = await newSession(bob.token);
      assert.equal((await put(a, 'secret', 'ada only')).status, 200);
      assert.equal((await t.request(mem(a), { token: b.token })).status, 404);
      assert.equal((await t.request(mem(a, 'secret'), { token: b.token })).status, 404);
      assert.equal((await put(a, 'secret', 'bob was here', b.token)).status, 404);
      assert.equal((await t.request(mem(a, 'secret'), { method: 'DELETE', token: bob.token })).status, 404);
      const still = (await (await t.request(mem(a, 'secret'), { token: a.token })).json()) as Entry;
      assert.equal(still.value, 'ada only');
      assert.ok((await audit()).some((r) => r.eventType === 'permission.denied' && r.userId === bob.userId && r.resourceId === a.session_id));
    });

    it('enforces the limits: key length (422), value size (413), 1,000 keys (422); replacing at the limit works', async () => {
      const s = await newSession(ada.token);
      const longKey = await put(s, 'k'.repeat(201), 1);
      assert.equal(longKey.status, 422);
      assert.equal(await codeOf(longKey), 'SESSION_MEMORY_KEY_INVALID');
      assert.equal((await put(s, 'k'.repeat(200), 1)).status, 200);
      // The JSON text of a string of n characters is n + 2 bytes.
      const big = await put(s, 'big', 'x'.repeat(64 * 1024 - 1));
      assert.equal(big.status, 413);
      assert.equal(await codeOf(big), 'SESSION_MEMORY_VALUE_TOO_LARGE');
      assert.equal((await put(s, 'big', 'x'.repeat(64 * 1024 - 2))).status, 200);
      // Fill the rest of the session's 1,000 keys directly, then try one more over HTTP.
      const rows = Array.from({ length: 998 }, (_, i) => ({ session_id: s.session_id, key: `fill-${i}`, value: '0', updated_at: Date.now() }));
      await t.app.store.db.insertInto('session_memory').values(rows).execute();
      const full = await put(s, 'one-too-many', true);
      assert.equal(full.status, 422);
      assert.equal(await codeOf(full), 'SESSION_MEMORY_FULL');
      assert.equal((await put(s, 'fill-7', 'replaced')).status, 200);
      assert.equal((await t.request(mem(s, 'fill-8'), { method: 'DELETE', token: s.token })).status, 200);
      assert.equal((await put(s, 'one-too-many', true)).status, 200);
    });

    it("lists the session's tasks as its history, oldest first, with prompts, states, results and errors", async () => {
      const s = await newSession(ada.token);
      const first = await submit(t, { agent_type: 'echo', prompt: 'one' }, { token: s.token });
      await waitForState(t, first.task_id, ['completed']);
      const second = await submit(t, { agent_type: 'echo', prompt: 'two', context: { fail: 'boom' } }, { token: s.token });
      await waitForState(t, second.task_id, ['failed']);
      const third = await submit(t, { agent_type: 'echo', prompt: 'three' }, { token: s.token });
      await waitForState(t, third.task_id, ['completed']);
      // Outside the session: not part of its history.
      await submit(t, { agent_type: 'echo', prompt: 'elsewhere' }, { token: ada.token });

      const res = await t.request(`/api/runtime/sessions/${s.session_id}/history`, { token: s.token });
      assert.equal(res.status, 200);
      const history = (await res.json()) as { session_id: string; tasks: { task_id: string; prompt: string; state: string; result: unknown; error: string | null; created_at: string; finished_at: string | null }[] };
      assert.deepEqual(history.tasks.map((x) => [x.task_id, x.prompt, x.state]), [
        [first.task_id, 'one', 'completed'],
        [second.task_id, 'two', 'failed'],
        [third.task_id, 'three', 'completed'],
      ]);
      assert.equal(history.tasks[0]?.result, 'one');
      assert.equal(history.tasks[1]?.error, 'boom');
      assert.ok(history.tasks.every((x) => x.finished_at !== null && Date.parse(x.created_at) <= Date.parse(x.finished_at)));
      const lastTwo = (await (await t.request(`/api/runtime/sessions/${s.session_id}/history?limit=2`, { token: s.token })).json()) as { tasks: { prompt: string }[] };
      assert.deepEqual(lastTwo.tasks.map((x) => x.prompt), ['two', 'three']);
      assert.ok((await audit()).some((r) => r.eventType === 'resource.accessed' && r.resourceType === 'session_history' && r.resourceId === s.session_id && r.details['task_count'] === 3));
    });
  });
}
