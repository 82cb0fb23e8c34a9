/**
 * Agent definitions over HTTP on every database: an admin creates an agent (secrets
 * only as env: references, never in a response or an audit record), reads, replaces,
 * checks and deletes it; a configured agent runs a task right after its PUT; invalid
 * definitions get 422 naming the field; file-defined agents are read-only (409); a
 * developer is refused (403, audited); availability follows the endpoint (down →
 * false, up → true, via the check endpoint); a second node sees the change after
 * its periodic reload.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { submit, waitForState } from './helpers/api.ts';
import { waitFor } from './helpers/wait.ts';
import { recordSecret } from './helpers/log-capture.ts';
import { freePort, startFakeModelEndpoint, type FakeModelEndpoint } from './fixtures/fake-model-endpoint.ts';

const SECRET = `sk-test-${'k'.repeat(24)}-do-not-show`;

interface WireDefinition {
  agent_type: string;
  kind: string;
  source: string;
  read_only: boolean;
  available: boolean;
  checked_at: string | null;
  unavailable_reason: string | null;
  config: Record<string, unknown> | null;
  updated_at: string | null;
  updated_by: string | null;
}
interface WireError { error: { code: string; message: string; details?: Record<string, unknown> } }
interface WireAudit { event_type: string; resource_type: string | null; resource_id: string | null; action: string; status: string; details: Record<string, unknown> }

for (const dialect of DIALECTS) {
  describe(`agent definitions API on ${dialect}`, () => {
    let t: TestApp;
    let port: number;
    let endpoint: FakeModelEndpoint | undefined;
    const bodies: string[] = [];

    async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: unknown }> {
      const res = await t.request(path, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(token !== undefined ? { token } : {}),
      });
      const text = await res.text();
      bodies.push(text);
      return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
    }

    async function audit(eventType: string): Promise<WireAudit[]> {
      const r = await call('GET', `/api/audit/events?event_type=${eventType}&limit=100`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return (r.json as { events: WireAudit[] }).events;
    }

    before(async () => {
      recordSecret(SECRET);
      port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'sb-agent-admin-'));
      const file = join(dir, 'switchboard.config.yaml');
      writeFileSync(file, 'agents:\n  - id: filebot\n    kind: echo\n    name: File bot\n');
      t = await startTestApp(dialect, {
        env: { SWITCHBOARD_CONFIG: file },
        app: { agentEnv: { ...process.env, SB_TEST_OPENAI_KEY: SECRET } },
      });
    });
    after(async () => {
      await endpoint?.close();
      await t.close();
    });

    it('creates an agent whose key is only an env: reference, unavailable while its endpoint is down', async () => {
      const created = await call('PUT', '/api/runtime/agents/helper-llm', {
        kind: 'openai',
        base_url: `http://127.0.0.1:${port}/v1`,
        model: 'small-model',
        api_key: 'env:SB_TEST_OPENAI_KEY',
        concurrency: 2,
        skills: ['notes'],
        capabilities: ['analysis'],
        retry: { max_attempts: 2, backoff_ms: 50 },
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const def = created.json as WireDefinition;
      assert.equal(def.source, 'database');
      assert.equal(def.read_only, false);
      assert.equal(def.config?.['api_key'], 'env:SB_TEST_OPENAI_KEY');
      assert.equal(def.available, false);
      assert.match(def.unavailable_reason ?? '', /does not answer/);
      assert.equal(typeof def.updated_by, 'string');

      const list = await call('GET', '/api/runtime/agents');
      const listed = (list.json as { agent_type: string; available: boolean; capabilities: string[] }[]).find((a) => a.agent_type === 'helper-llm');
      assert.ok(listed);
      assert.equal(listed.available, false);
      assert.deepEqual(listed.capabilities, ['analysis']);
    });

    it('reports the agent available once its endpoint answers (check endpoint), and unavailable again when it stops', async () => {
      endpoint = await startFakeModelEndpoint(port);
      const up = await call('POST', '/api/runtime/agents/helper-llm/check');
      assert.equal(up.status, 200, JSON.stringify(up.json));
      assert.equal((up.json as WireDefinition).available, true);
      assert.notEqual((up.json as WireDefinition).checked_at, null);
      // The probe sent the key to the configured endpoint only (as a bearer header).
      assert.ok(endpoint.seen.some((r) => r.path === '/v1/models' && r.headers.authorization === `Bearer ${SECRET}`));
      const got = await call('GET', '/api/runtime/agents/helper-llm');
      assert.equal((got.json as WireDefinition).available, true);

      await endpoint.close();
      endpoint = undefined;
      const down = await call('POST', '/api/runtime/agents/helper-llm/check');
      assert.equal((down.json as WireDefinition).available, false);
    });

    it('runs a task on an agent right after it is configured, and replaces it', async () => {
      const put = await call('PUT', '/api/runtime/agents/quick', { kind: 'echo', name: 'Quick' });
      assert.equal(put.status, 201);
      assert.equal((put.json as WireDefinition).available, true);
      const task = await submit(t, { agent_type: 'quick', prompt: 'hello quick' });
      const done = await waitForState(t, task.task_id, ['completed', 'failed']);
      assert.equal(done.state, 'completed');
      assert.equal(done.result, 'hello quick');

      const replaced = await call('PUT', '/api/runtime/agents/quick', { kind: 'echo', name: 'Quicker', description: 'a faster echo' });
      assert.equal(replaced.status, 200);
      const agents = (await call('GET', '/api/runtime/agents')).json as { agent_type: string; name: string }[];
      assert.equal(agents.find((a) => a.agent_type === 'quick')?.name, 'Quicker');
    });

    it('refuses invalid definitions with 422 naming the field, and stores nothing', async () => {
      const literal = await call('PUT', '/api/runtime/agents/bad', { kind: 'openai', model: 'm', api_key: 'sk-literal-key-value' });
      assert.equal(literal.status, 422);
      assert.equal((literal.json as WireError).error.code, 'AGENT_CONFIG_INVALID');
      assert.match((literal.json as WireError).error.message, /^api_key: must name an environment variable/);
      const unknownField = await call('PUT', '/api/runtime/agents/bad', { kind: 'echo', colour: 'blue' });
      assert.equal(unknownField.status, 422);
      assert.match((unknownField.json as WireError).error.message, /colour/);
      const missingModel = await call('PUT', '/api/runtime/agents/bad', { kind: 'ollama' });
      assert.match((missingModel.json as WireError).error.message, /^model:/);
      const otherId = await call('PUT', '/api/runtime/agents/bad', { id: 'other', kind: 'echo' });
      assert.match((otherId.json as WireError).error.message, /^id:/);
      const badId = await call('PUT', '/api/runtime/agents/Bad%20Id', { kind: 'echo' });
      assert.equal(badId.status, 422);
      assert.equal((await call('GET', '/api/runtime/agents/bad')).status, 404);
    });

    it('keeps file-defined agents read-only (409) and deletes database ones', async () => {
      const file = await call('GET', '/api/runtime/agents/filebot');
      assert.equal(file.status, 200);
      assert.equal((file.json as WireDefinition).source, 'file');
      assert.equal((file.json as WireDefinition).read_only, true);
      const del = await call('DELETE', '/api/runtime/agents/filebot');
      assert.equal(del.status, 409);
      assert.equal((del.json as WireError).error.code, 'AGENT_READ_ONLY');
      const put = await call('PUT', '/api/runtime/agents/filebot', { kind: 'echo' });
      assert.equal(put.status, 409);

      const gone = await call('DELETE', '/api/runtime/agents/quick');
      assert.equal(gone.status, 200, JSON.stringify(gone.json));
      assert.equal((await call('GET', '/api/runtime/agents/quick')).status, 404);
      const refused = await call('POST', '/api/runtime/tasks/submit', { agent_type: 'quick', prompt: 'x' });
      assert.equal(refused.status, 422);
      assert.equal((refused.json as WireError).error.code, 'AGENT_NOT_FOUND');
      assert.equal((await call('DELETE', '/api/runtime/agents/quick')).status, 404);
    });

    it('refuses a developer with 403 and audits the denial', async () => {
      const dev = await t.createUser('agent-dev', ['developer']);
      for (const [method, path, body] of [
        ['PUT', '/api/runtime/agents/sneaky', { kind: 'echo' }],
        ['GET', '/api/runtime/agents/helper-llm', undefined],
        ['DELETE', '/api/runtime/agents/helper-llm', undefined],
        ['POST', '/api/runtime/agents/helper-llm/check', undefined],
      ] as const) {
        const r = await call(method, path, body, dev.token);
        assert.equal(r.status, 403, `${method} ${path}`);
        assert.equal((r.json as WireError).error.code, 'AUTH_FORBIDDEN');
      }
      const denials = (await audit('permission.denied')).filter((a) => a.resource_type === 'agent');
      assert.ok(denials.some((d) => d.resource_id === 'sneaky' && d.details['permission'] === 'agent:configure'));
      assert.equal((await call('GET', '/api/runtime/agents/sneaky')).status, 404);
    });

    it('audits every change as agent.configured with the kind and changed fields, never a secret', async () => {
      const records = await audit('agent.configured');
      const actions = records.map((r) => `${r.resource_id}:${r.action}`).reverse();
      assert.deepEqual(actions, ['helper-llm:agent.create', 'quick:agent.create', 'quick:agent.update', 'quick:agent.delete']);
      const update = records.find((r) => r.action === 'agent.update');
      assert.equal(update?.details['kind'], 'echo');
      assert.deepEqual(update?.details['changed_fields'], ['description', 'name']);
      const create = records.find((r) => r.resource_id === 'helper-llm');
      assert.ok((create?.details['changed_fields'] as string[]).includes('api_key'));
      const everything = JSON.stringify((await call('GET', '/api/audit/events?limit=500')).json);
      assert.ok(!everything.includes(SECRET), 'no secret in the audit log');
      assert.ok(!everything.includes('sk-literal-key-value'), 'a refused literal key is not recorded either');
      for (const b of bodies) assert.ok(!b.includes(SECRET), `no secret in a response: ${b.slice(0, 200)}`);
    });

    // Several nodes share a PostgreSQL database; a second server on one SQLite file is refused (sqlite-lock.ts).
    if (dialect === 'postgres') {
      it('brings a change made on one node to another node after its reload', async () => {
        const other = await startTestApp(dialect, {
          db: t.db,
          env: { SWITCHBOARD_AGENT_RELOAD_MS: '100', SWITCHBOARD_ADMIN_TOKEN: t.adminToken },
        });
        try {
          const seen = async (id: string): Promise<boolean> => {
            const res = await other.request('/api/runtime/agents', { token: t.adminToken });
            return ((await res.json()) as { agent_type: string }[]).some((a) => a.agent_type === id);
          };
          assert.equal(await seen('helper-llm'), true, 'loaded at start');
          assert.equal((await call('PUT', '/api/runtime/agents/later', { kind: 'echo' })).status, 201);
          await waitFor(() => seen('later'), 'the other node to load the new agent');
          assert.equal((await call('DELETE', '/api/runtime/agents/later')).status, 200);
          await waitFor(async () => !(await seen('later')), 'the other node to drop the deleted agent');
        } finally {
          await other.app.close();
        }
      });
    }
  });
}
