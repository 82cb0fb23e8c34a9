/**
 * (c2) Per-call overhead as a logged-in user: GET /api/runtime/tasks/{id}/state with
 * a login session's `sbs_…` bearer, for a developer (not an admin) whose task-view
 * is decided by a resource policy among several, against the bare Fastify route
 * returning the same JSON. Set up through the API as a user would: the admin
 * creates the user and the policies, the user logs in, submits and finishes an echo
 * task, then both servers are measured one after the other with the same client.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { figure, TARGETS, type Dialect, type Figure } from './lib/results.ts';
import { expectStatus, keepAliveAgent, requestJson } from './lib/http.ts';
import { startSwitchboard, waitForTask, type RemoteSwitchboard } from './lib/switchboard.ts';
import { childEnv, spawnChild } from './lib/children.ts';
import { BARE_SCRIPT, comparisonFigures, measure, type OverheadSizes } from './overhead.ts';
import type { TaskView } from '../src/wire/task.ts';

const USERNAME = 'bench-developer';
/** Another user, named by a deny rule that never matches the measured caller. */
const OTHER = 'bench-viewer';

/**
 * The policies: two that decide the measured request (any task; the echo agent),
 * and unrelated ones of every resource type, so the evaluator has several to match.
 */
const POLICIES: readonly Record<string, unknown>[] = [
  { id: 'bench-tasks', resource_type: 'task', resource_id: '*', permissions: ['task:view', 'task:cancel'], allowed_roles: ['developer', 'admin'] },
  { id: 'bench-echo', resource_type: 'agent', resource_id: 'echo', allowed_roles: ['developer', 'admin'] },
  { id: 'bench-deploy-tasks', resource_type: 'task', resource_id: 'deploy-*', allowed_roles: ['admin'], require_trusted_device: true },
  { id: 'bench-gpt', resource_type: 'agent', resource_id: 'gpt-*', allowed_roles: ['admin'], required_permissions: ['agent:configure'] },
  { id: 'bench-skills', resource_type: 'skill', resource_id: '*', permissions: ['skill:execute'], allowed_roles: ['developer', 'admin'] },
  { id: 'bench-shell', resource_type: 'skill', resource_id: 'shell', allowed_roles: ['admin'], require_trusted_device: true },
  { id: 'bench-project', resource_type: 'project', resource_id: 'payments', allowed_roles: ['admin'], denied_users: [OTHER] },
  { id: 'bench-projects', resource_type: 'project', resource_id: 'team-*', permissions: ['project:read'], allowed_roles: ['viewer', 'developer'] },
];

interface Login {
  readonly token: string;
  readonly sessionId: string;
  readonly userId: string;
}

/** Creates the developer with a password and logs in as them. */
async function developerSession(agent: http.Agent, sb: RemoteSwitchboard): Promise<Login> {
  // Random, and strong enough for the password rules (length, kinds of character).
  const password = `Bench-${randomBytes(12).toString('base64url')}-9`;
  const user = expectStatus(
    await requestJson<{ id: string }>(agent, 'POST', `${sb.url}/api/users`, { token: sb.token, body: { username: USERNAME, password, roles: ['developer'] } }),
    201,
    'create user',
  );
  expectStatus(await requestJson(agent, 'POST', `${sb.url}/api/users`, { token: sb.token, body: { username: OTHER, roles: ['viewer'] } }), 201, 'create user');
  const session = expectStatus(
    await requestJson<{ token: string; session_id: string }>(agent, 'POST', `${sb.url}/api/auth/login`, { body: { username: USERNAME, password } }),
    201,
    'login',
  );
  if (!session.token.startsWith('sbs_')) throw new Error('login did not return an sbs_ session token');
  return { token: session.token, sessionId: session.session_id, userId: user.id };
}

/** Audit records of the session since `from` (up to 500: the point is whether reads write any). */
async function auditedSince(agent: http.Agent, sb: RemoteSwitchboard, sessionId: string, from: number): Promise<number | string> {
  const url = `${sb.url}/api/audit/sessions/${encodeURIComponent(sessionId)}/activity?from=${from}&limit=500`;
  const page = expectStatus(await requestJson<{ events: unknown[]; next_cursor: string | null }>(agent, 'GET', url, { token: sb.token }), 200, 'session activity');
  return page.next_cursor === null ? page.events.length : `> ${page.events.length}`;
}

export async function overheadSession(dialect: Dialect, sizes: OverheadSizes): Promise<Figure[]> {
  const sb = await startSwitchboard(dialect);
  const agent = keepAliveAgent(4);
  try {
    const login = await developerSession(agent, sb);
    for (const body of POLICIES) expectStatus(await requestJson(agent, 'POST', `${sb.url}/api/policies`, { token: sb.token, body }), 201, `policy ${String(body['id'])}`);
    const asUser = { url: sb.url, token: login.token };
    const task = expectStatus(
      await requestJson<TaskView>(agent, 'POST', `${sb.url}/api/runtime/tasks/submit`, { token: login.token, body: { agent_type: 'echo', prompt: 'session overhead task' } }),
      202,
      'submit as the developer',
    );
    await waitForTask(agent, asUser, task.task_id);
    const path = `/api/runtime/tasks/${task.task_id}/state`;
    const body = expectStatus(await requestJson<TaskView>(agent, 'GET', sb.url + path, { token: login.token }), 200, 'state as the developer');
    if (body.state !== 'completed') throw new Error(`the developer's task is ${body.state}, not completed`);
    // The measured request must be decided by a policy, or the figure would not measure policy checks.
    const explained = expectStatus(
      await requestJson<{ allowed: boolean; rule: string; steps: unknown[] }>(agent, 'POST', `${sb.url}/api/policies/explain`, {
        token: login.token,
        body: { permission: 'task:view', resource: `task:${task.task_id}` },
      }),
      200,
      'explain',
    );
    if (!explained.allowed || explained.rule !== 'policy:bench-tasks') {
      throw new Error(`task:view on the task is decided by ${explained.rule} (allowed: ${explained.allowed}), not policy:bench-tasks`);
    }
    const bare = await spawnChild<{ url: string }>(BARE_SCRIPT, childEnv({ BENCH_BODY: JSON.stringify(body) }));
    try {
      const check = await requestJson(agent, 'GET', bare.info.url + path);
      if (JSON.stringify(check.body) !== JSON.stringify(body)) throw new Error('the bare server does not return the same JSON');
      const from = Date.now();
      const sw = await measure(sb.url + path, { authorization: `Bearer ${login.token}` }, sizes);
      const audited = await auditedSince(agent, sb, login.sessionId, from);
      const base = await measure(bare.info.url + path, {}, sizes);
      const name = '(c2) session GET state';
      return [
        ...comparisonFigures(name, dialect, sizes, { sw, base, body, target: TARGETS.sessionCallRatio, what: 'GET state, sbs_ session' }),
        figure(name, dialect, `caller: developer, ${POLICIES.length} policies; decided by`, explained.rule, ''),
        figure(name, dialect, 'audit records of the session during the runs', audited, 'records'),
      ];
    } finally {
      await bare.stop();
    }
  } finally {
    agent.destroy();
    await sb.stop();
  }
}
