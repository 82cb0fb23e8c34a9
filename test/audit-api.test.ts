/**
 * The audit API end to end on every database: filters, newest-first keyset paging,
 * who may read what (denials audited), streamed JSON/NDJSON export, chain
 * verification over HTTP and through the CLI (as a child process), and tampering.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst, type CliResult } from './helpers/cli-process.ts';
import { submit, waitForState } from './helpers/api.ts';
import type { AuditRecord } from '../src/core/domain/audit.ts';
import type { Caller } from '../src/core/domain/caller.ts';

interface WireAudit {
  event_id: string;
  event_type: string;
  timestamp: string;
  user_id: string | null;
  session_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  action: string;
  status: string;
  details: Record<string, unknown>;
  metadata: { seq: number; prev_hash: string; hash: string };
}
interface WirePage {
  events: WireAudit[];
  next_cursor: string | null;
}

/** Runs the real CLI against the test server (as the admin unless given a token). */
const cli = (t: TestApp, args: readonly string[], token?: string): Promise<CliResult> => runCliAgainst(t, args, { token });

async function allRecords(t: TestApp): Promise<AuditRecord[]> {
  return [...(await t.app.store.tasks.listAudit(0, 1_000_000))];
}

/** Every page of an audit listing, following next_cursor; fails on a repeated cursor. */
async function allPages(t: TestApp, path: string, token?: string): Promise<WireAudit[]> {
  const out: WireAudit[] = [];
  const cursors = new Set<string>();
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await t.request(`${path}${cursor === null ? '' : `${sep}cursor=${encodeURIComponent(cursor)}`}`, token === undefined ? {} : { token });
    assert.equal(res.status, 200, await res.clone().text());
    const page = (await res.json()) as WirePage;
    out.push(...page.events);
    cursor = page.next_cursor;
    if (cursor !== null) {
      assert.ok(!cursors.has(cursor), 'a cursor repeats');
      cursors.add(cursor);
    }
  } while (cursor !== null);
  return out;
}

const seqsOf = (events: readonly WireAudit[]): number[] => events.map((e) => e.metadata.seq);
const newestFirst = (records: readonly AuditRecord[]): number[] => records.map((r) => r.seq).sort((a, b) => b - a);

for (const dialect of DIALECTS) {
  describe(`audit API on ${dialect}`, () => {
    let t: TestApp;
    let dev: { userId: string; token: string };
    let dev2: { userId: string; token: string };
    let viewer: { userId: string; token: string };
    let doneTask = '';
    let sess = '';

    before(async () => {
      t = await startTestApp(dialect);
      dev = await t.createUser('dora', ['developer']);
      dev2 = await t.createUser('dan', ['developer']);
      viewer = await t.createUser('vic', ['viewer']);
      const made = await t.request('/api/runtime/sessions', { method: 'POST', token: dev.token, body: '{}' });
      assert.equal(made.status, 201);
      sess = ((await made.json()) as { session_id: string }).session_id;
      const ok = await submit(t, { agent_type: 'echo', prompt: 'a', session_id: sess }, { token: dev.token });
      const bad = await submit(t, { agent_type: 'echo', prompt: 'b', context: { fail: 'no' } }, { token: dev.token });
      const other = await submit(t, { agent_type: 'echo', prompt: 'c' }, { token: dev2.token });
      const more = await Promise.all(Array.from({ length: 5 }, (_, i) => submit(t, { agent_type: 'echo', prompt: `m${i}` })));
      const denied = await t.request('/api/runtime/tasks/submit', {
        method: 'POST',
        token: viewer.token,
        body: JSON.stringify({ agent_type: 'echo', prompt: 'nope' }),
      });
      assert.equal(denied.status, 403);
      await waitForState(t, ok.task_id, ['completed']);
      await waitForState(t, bad.task_id, ['failed']);
      await waitForState(t, other.task_id, ['completed']);
      for (const m of more) await waitForState(t, m.task_id, ['completed']);
      doneTask = ok.task_id;
    });
    after(async () => t.close());

    it('filters by user, session, event type, resource, status and time range, newest first', async () => {
      const records = await allRecords(t);
      assert.ok(records.length >= 20, `only ${records.length} records`);
      const check = async (query: string, keep: (r: AuditRecord) => boolean): Promise<WireAudit[]> => {
        const got = await allPages(t, `/api/audit/events?limit=7&${query}`);
        assert.deepEqual(seqsOf(got), newestFirst(records.filter(keep)), query);
        return got;
      };
      const mine = await check(`user_id=${dev.userId}`, (r) => r.userId === dev.userId);
      // session.created + submitted, started, agent.executed, completed + submitted, started, agent.executed, failed
      assert.equal(mine.length, 9);
      assert.equal(mine.filter((e) => e.event_type === 'agent.executed').length, 2);
      await check(`session_id=${sess}`, (r) => r.sessionId === sess);
      const failed = await check('event_type=task.failed', (r) => r.eventType === 'task.failed');
      assert.equal(failed.length, 1);
      const ofTask = await check(`resource_type=task&resource_id=${doneTask}`, (r) => r.resourceType === 'task' && r.resourceId === doneTask);
      assert.deepEqual(ofTask.map((e) => e.event_type), ['task.completed', 'task.started', 'task.submitted']);
      const ran = await check(`resource_type=agent&resource_id=echo&event_type=agent.executed`, (r) => r.eventType === 'agent.executed' && r.resourceId === 'echo');
      assert.ok(ran.some((e) => e.details['task_id'] === doneTask && e.details['outcome'] === 'completed' && e.status === 'success'));
      const denied = await check('status=denied', (r) => r.status === 'denied');
      assert.ok(denied.some((e) => e.user_id === viewer.userId && e.action === 'task:submit'));
      await check('status=failure&event_type=task.failed', (r) => r.status === 'failure' && r.eventType === 'task.failed');
      const times = [...new Set(records.map((r) => r.timestamp))].sort((a, b) => a - b);
      const from = times[1] ?? 0;
      const to = times[times.length - 1] ?? 0;
      const inRange = (r: AuditRecord): boolean => r.timestamp >= from && r.timestamp < to;
      await check(`from=${from}&to=${to}`, inRange);
      const iso = await check(`from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, inRange);
      assert.ok(iso.length > 0 && iso.length < records.length);
      const e = mine[0];
      assert.ok(e !== undefined);
      assert.deepEqual(Object.keys(e).sort(), [
        'action', 'details', 'event_id', 'event_type', 'metadata', 'resource_id', 'resource_type', 'session_id', 'status', 'timestamp', 'user_id',
      ]);
      assert.match(e.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.match(e.metadata.hash, /^[0-9a-f]{64}$/);
    });

    it('pages with a keyset cursor: every record once, no gaps, newest first', async () => {
      const records = await allRecords(t);
      for (const limit of [1, 4, 500]) {
        const seqs = seqsOf(await allPages(t, `/api/audit/events?limit=${limit}`));
        assert.deepEqual(seqs, newestFirst(records), `limit ${limit}`);
      }
      const first = (await (await t.request('/api/audit/events')).json()) as WirePage;
      assert.equal(first.events.length, Math.min(100, records.length), 'default limit is 100');
      assert.equal((await t.request('/api/audit/events?limit=501')).status, 400);
      assert.equal((await t.request('/api/audit/events?cursor=bm90LWEtY3Vyc29y')).status, 400);
      assert.equal((await t.request('/api/audit/events?from=yesterday')).status, 400);
      assert.equal((await t.request('/api/audit/events?event_type=task.exploded')).status, 400);
    });

    it('refuses /api/audit/events and the export to a developer (403) and audits the denial', async () => {
      for (const path of ['/api/audit/events', '/api/audit/export', '/api/audit/verify']) {
        const res = await t.request(path, { token: dev.token });
        assert.equal(res.status, 403, path);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'AUTH_FORBIDDEN');
      }
      const denials = (await allRecords(t)).filter((r) => r.eventType === 'permission.denied' && r.userId === dev.userId);
      assert.equal(denials.length, 3);
      assert.ok(denials.every((r) => r.action === 'admin:system' && r.resourceType === 'audit' && r.status === 'denied'));
    });

    it("lets a user read their own activity but not another's; admins read anyone's", async () => {
      const own = await allPages(t, `/api/audit/users/${dev.userId}/activity?limit=3`, dev.token);
      assert.ok(own.length > 0 && own.every((e) => e.user_id === dev.userId));
      const filtered = await allPages(t, `/api/audit/users/${dev.userId}/activity?event_type=task.submitted&user_id=${dev2.userId}`, dev.token);
      assert.equal(filtered.length, 2, 'the path user wins over a user_id query parameter');
      const other = await t.request(`/api/audit/users/${dev2.userId}/activity`, { token: dev.token });
      assert.equal(other.status, 403);
      const denial = (await allRecords(t)).filter((r) => r.eventType === 'permission.denied' && r.resourceId === dev2.userId);
      assert.equal(denial.length, 1);
      assert.equal(denial[0]?.action, 'admin:users');
      const byAdmin = await allPages(t, `/api/audit/users/${dev2.userId}/activity`);
      assert.deepEqual(byAdmin.map((e) => e.event_type).sort(), ['agent.executed', 'task.completed', 'task.started', 'task.submitted']);
    });

    it("shows a session's activity to admins and to callers in that session only", async () => {
      const events = await allPages(t, `/api/audit/sessions/${sess}/activity`);
      // The session's creation is attributed to the session its creator acted in (none: an API token).
      assert.deepEqual(events.map((e) => e.event_type).sort(), ['agent.executed', 'task.completed', 'task.started', 'task.submitted']);
      assert.ok(events.every((e) => e.session_id === sess));
      assert.equal((await t.request(`/api/audit/sessions/${sess}/activity`, { token: dev.token })).status, 403);
      const principal = { id: dev.userId, username: 'dora', kind: 'user' as const, roles: ['developer' as const], grants: [] };
      const inSession: Caller = { principal, sessionId: sess, via: 'session' };
      const page = await t.app.runtime.sessionActivity(inSession, sess, { limit: 10 });
      assert.equal(page.items.length, 4);
      await assert.rejects(t.app.runtime.sessionActivity(inSession, 'another-session', { limit: 10 }), /Permission denied/);
    });

    it('exports every record as a streamed JSON array and as NDJSON', async () => {
      // More records than one store page (500) and one write chunk (64 KiB): the export spans both.
      await Promise.all(
        Array.from({ length: 1200 }, (_, i) =>
          t.app.engine.recordAudit({
            eventType: 'resource.accessed',
            userId: dev2.userId,
            sessionId: null,
            resourceType: 'bulk',
            resourceId: `r-${i}`,
            action: 'read',
            status: 'success',
            details: { i, padding: 'x'.repeat(100) },
          }),
        ),
      );
      const records = await allRecords(t);
      const json = await t.request('/api/audit/export');
      assert.equal(json.status, 200);
      assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
      const reader = (json.body as ReadableStream<Uint8Array>).getReader();
      const chunks: Uint8Array[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      assert.ok(chunks.length > 1, 'the body arrives in several chunks');
      const array = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WireAudit[];
      assert.deepEqual(seqsOf(array), newestFirst(records));
      const nd = await t.request('/api/audit/export?format=ndjson');
      assert.match(nd.headers.get('content-type') ?? '', /^application\/x-ndjson/);
      const lines = (await nd.text()).split('\n');
      assert.equal(lines.pop(), '', 'ends with a newline');
      const parsed = lines.map((l) => JSON.parse(l) as WireAudit);
      assert.equal(parsed.length, records.length);
      assert.deepEqual(parsed, array);
      const some = (await (await t.request('/api/audit/export?event_type=task.completed')).json()) as WireAudit[];
      assert.equal(some.length, records.filter((r) => r.eventType === 'task.completed').length);
      const none = await t.request('/api/audit/export?user_id=nobody');
      assert.deepEqual(await none.json(), []);
    });

    it('exports through the CLI to a file and queries through the CLI', async () => {
      const records = await allRecords(t);
      const dir = mkdtempSync(join(tmpdir(), 'sb-audit-out-'));
      const out = join(dir, 'audit.ndjson');
      const r = await cli(t, ['audit', 'export', '--format', 'ndjson', '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!existsSync(`${out}.partial`));
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      assert.equal(lines.length, records.length);
      const q = await cli(t, ['audit', 'query', '--json', '--all', '--limit', '2', '--event-type', 'task.submitted']);
      assert.equal(q.code, 0, q.stderr);
      const page = JSON.parse(q.stdout) as WirePage;
      assert.deepEqual(seqsOf(page.events), newestFirst(records.filter((x) => x.eventType === 'task.submitted')));
      const own = await cli(t, ['audit', 'query', '--user', dev.userId], dev.token);
      assert.equal(own.code, 0, own.stderr);
      assert.match(own.stdout, /^SEQ +TIME +EVENT/);
      assert.match(own.stdout, /task\.submitted/);
      const refused = await cli(t, ['audit', 'query'], dev.token);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /AUTH_FORBIDDEN/);
    });

    it('verifies the chain, then names the tampered record over HTTP and through the CLI', async () => {
      const okRes = await t.request('/api/audit/verify');
      const ok = (await okRes.json()) as { ok: boolean; checked: number; head_hash?: string };
      const records = await allRecords(t);
      assert.equal(ok.ok, true, JSON.stringify(ok));
      assert.equal(ok.checked, records.length);
      assert.equal(ok.head_hash, records.at(-1)?.hash);
      const good = await cli(t, ['audit', 'verify']);
      assert.equal(good.code, 0, good.stderr);
      assert.match(good.stdout, /Audit chain intact/);

      const victim = records[Math.floor(records.length / 3)];
      assert.ok(victim);
      await sql`update audit_log set action = ${'rewritten'} where seq = ${victim.seq}`.execute(t.app.store.db);
      const bad = (await (await t.request('/api/audit/verify')).json()) as { ok: boolean; broken_seq?: number; reason?: string };
      assert.equal(bad.ok, false);
      assert.equal(bad.broken_seq, victim.seq);
      assert.match(bad.reason ?? '', /does not match its hash/);
      const broken = await cli(t, ['audit', 'verify']);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, new RegExp(`audit chain broken at record ${victim.seq}:`));
      const asJson = await cli(t, ['--json', 'audit', 'verify']);
      assert.equal(asJson.code, 1);
      assert.equal((JSON.parse(asJson.stdout) as { broken_seq: number }).broken_seq, victim.seq);
    });

    it('documents the audit routes in /openapi.json', async () => {
      const doc = (await (await t.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
      for (const p of ['/api/audit/events', '/api/audit/users/{user_id}/activity', '/api/audit/sessions/{session_id}/activity', '/api/audit/export', '/api/audit/verify']) {
        assert.ok(doc.paths[p] !== undefined, p);
      }
    });
  });
}
