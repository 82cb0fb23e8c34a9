/**
 * Frozen fixtures of the public HTTP surface: one representative answer of every
 * response shape, and the OpenAPI document, normalised (ids, times, secrets, hashes,
 * durations → placeholders) and compared with test/fixtures/wire/<name>.json.
 * A wire change shows up here as a fixture diff; regenerate with
 * UPDATE_WIRE_FIXTURES=1 npm test -- wire-fixtures and review the diff.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skillMd } from './helpers/craft-archives.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { submit, waitForState } from './helpers/api.ts';
import { matchFixture, normalise } from './helpers/wire-fixtures.ts';

const PASSWORD = 'correct-Horse-42';

describe('wire fixtures of the HTTP API', () => {
  let t: TestApp;
  let work: string;
  before(async () => {
    // One configured skill, so the skill listing has an entry.
    work = mkdtempSync(join(tmpdir(), 'sb-wire-fixtures-'));
    mkdirSync(join(work, 'skills', 'house-style'), { recursive: true });
    writeFileSync(join(work, 'skills', 'house-style', 'SKILL.md'), skillMd('house-style'));
    writeFileSync(join(work, 'config.yaml'), `skills_dirs:\n  - ${join(work, 'skills')}\n`);
    t = await startTestApp('sqlite', { env: { SWITCHBOARD_CONFIG: join(work, 'config.yaml') } });
  });
  after(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Calls the API (admin token unless `token`), checks the status and returns the parsed body. */
  async function call(method: string, path: string, status: number, body?: unknown, token?: string): Promise<unknown> {
    const res = await t.request(path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      headers: { accept: 'application/json' },
      ...(token !== undefined ? { token } : {}),
    });
    const text = await res.text();
    assert.equal(res.status, status, `${method} ${path}: ${text}`);
    return JSON.parse(text) as unknown;
  }

  const fixture = (name: string, body: unknown): void => matchFixture(name, normalise(body));

  it('tasks: submit, state, list and events', async () => {
    const submitted = await submit(t, { agent_type: 'echo', prompt: 'fixture', context: { source: 'fixtures' } });
    fixture('task-submit', { ...submitted, state: '<pending-or-later>' });
    await waitForState(t, submitted.task_id, ['completed']);
    fixture('task-get', await call('GET', `/api/runtime/tasks/${submitted.task_id}/state`, 200));
    fixture('task-list', await call('GET', '/api/runtime/tasks?limit=1', 200));
    fixture('events-list', await call('GET', `/api/runtime/tasks/${submitted.task_id}/events`, 200));
  });

  it('agents and skills', async () => {
    const agents = (await call('GET', '/api/runtime/agents', 200)) as { agent_type: string }[];
    fixture('agents-list', agents.filter((a) => a.agent_type === 'echo'));
    fixture('skills-list', await call('GET', '/api/runtime/skills', 200));
  });

  it('users and tokens', async () => {
    fixture('user-me', await call('GET', '/api/users/me', 200));
    const created = (await call('POST', '/api/users', 201, { username: 'fixture-dev', password: PASSWORD, roles: ['developer'] })) as { id: string };
    fixture('user-create', created);
    const users = (await call('GET', '/api/users', 200)) as { users: { username: string }[] };
    fixture('user-list', { users: users.users.filter((u) => u.username === 'fixture-dev') });
    const token = (await call('POST', `/api/users/${created.id}/tokens`, 201, { name: 'ci' })) as { token: string };
    assert.match(token.token, /^sbt_/);
    fixture('token-create', token);
    fixture('token-list', await call('GET', `/api/users/${created.id}/tokens`, 200));
  });

  it('sessions and devices', async () => {
    fixture('device-register', await call('POST', '/api/devices', 201, { device_id: 'fixture-laptop', name: 'Fixture laptop' }));
    fixture('device-list', await call('GET', '/api/devices', 200));
    fixture('session-create', await call('POST', '/api/runtime/sessions', 201, {}));
    fixture('session-list', await call('GET', '/api/runtime/sessions', 200));
  });

  it('policies', async () => {
    const body = { id: 'fixture-policy', resource_type: 'agent', resource_id: 'echo', permissions: ['agent:execute'], allowed_roles: ['admin'], description: 'fixture' };
    fixture('policy-create', await call('POST', '/api/policies', 201, body));
    fixture('policy-list', await call('GET', '/api/policies', 200));
    fixture('policy-explain', await call('POST', '/api/policies/explain', 200, { permission: 'agent:execute', resource: 'agent:echo' }));
  });

  it('projects and the board', async () => {
    fixture('project-create', await call('POST', '/api/projects', 201, { name: 'Fixture', key: 'FIX', github_repo_url: 'https://github.com/acme/fixture', default_agent_type: 'echo' }));
    fixture('project-list', await call('GET', '/api/projects', 200));
    fixture('board-task-create', await call('POST', '/api/tasks', 201, { project_id: 'FIX', title: 'A card', description: 'for the fixtures', priority: 'high' }));
    fixture('board-task-list', await call('GET', '/api/tasks?project_id=FIX', 200));
    const execution = (await call('POST', '/api/tasks/execute', 201, { task_id: 'FIX-1' })) as { execution_uuid: string };
    await waitForState(t, execution.execution_uuid, ['completed']);
    fixture('execution-list', await call('GET', '/api/tasks/FIX-1/executions', 200));
    const activity = (await call('GET', '/api/tasks/FIX-1/activity', 200)) as { activity: { kind: string }[] };
    // The engine's entries follow the execution as it goes: keep the person's, which are fixed.
    fixture('board-activity', { activity: activity.activity.filter((a) => a.kind === 'created' || a.kind === 'executed') });
    fixture('agents-available', await call('GET', '/api/agents/available', 200));
  });

  it('audit query', async () => {
    fixture('audit-query', await call('GET', '/api/audit/events?event_type=task.submitted&limit=1', 200));
  });

  it('an error body and health', async () => {
    fixture('error', await call('GET', '/api/runtime/tasks/00000000-0000-4000-8000-000000000000/state', 404));
    fixture('error-validation', await call('POST', '/api/runtime/tasks/submit', 400, { prompt: 'no agent' }));
    fixture('health', await call('GET', '/health', 200));
  });

  it('the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json', 200)) as { info?: { version?: unknown } };
    matchFixture('openapi', { ...doc, info: { ...doc.info, version: '<version>' } });
  });
});
