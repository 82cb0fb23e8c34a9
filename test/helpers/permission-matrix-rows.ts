/**
 * The rows of the permission matrix (test/permission-matrix.test.ts): every endpoint
 * with the permissions the role table must grant for it and its success status.
 * `permissions: []` means any authenticated caller. Requests act on the caller's own
 * objects unless the row is about someone else's (then `fx.other`, the admin's).
 */
import type { Permission, Role } from '../../src/core/domain/permissions.ts';

export interface RoleFixture {
  readonly role: Role;
  readonly userId: string;
  readonly token: string;
  readonly tasks: { readonly done: string; readonly running: string; readonly waiting: string };
  /** Board fixtures made by the admin for this role: a card of the shared project to edit, one to delete, a project to delete. */
  readonly board: { readonly card: string; readonly spareCard: string; readonly spareProject: string };
}

export interface Fixture {
  readonly roles: Readonly<Record<Role, RoleFixture>>;
  /** Someone else: the admin's objects, for rows about another user's things. */
  readonly other: RoleFixture;
  /** A live login session of `other`. */
  readonly otherSessionId: string;
}

export interface MatrixRow {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as /openapi.json names it. */
  readonly route: string;
  readonly permissions: readonly Permission[];
  /** The status of a caller whose roles hold `permissions`. */
  readonly ok: number;
  /** The status of a refusal when it is not 403: 404 where the object's existence is not revealed. */
  readonly denied?: number;
  /** The action of the `permission.denied` record when it is not one of `permissions`. */
  readonly deniedAs?: string;
  readonly request: (fx: Fixture, me: RoleFixture) => { readonly path: string; readonly body?: unknown };
  /** Request headers besides the default `Accept: application/json`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Endpoints open without a credential (they are tested elsewhere). */
export const PUBLIC_ENDPOINTS: readonly string[] = ['GET /health', 'GET /metrics', 'POST /api/auth/login', 'POST /api/auth/device-challenge', 'POST /api/web/session', 'GET /api/web/session'];

let serial = 0;
/** The device each role registers for the device rows. */
const deviceOf = (me: RoleFixture): string => `matrix-${me.role}-${process.pid}`;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++serial}`;

/** The shared project of the board rows (the admin creates it before the role fixtures). */
export const MATRIX_PROJECT = 'MATRIX';

export const MATRIX: readonly MatrixRow[] = [
  // The portal: projects and the board (project:* on project:<id>)
  { method: 'GET', route: '/api/projects', permissions: ['project:read'], ok: 200, request: () => ({ path: '/api/projects' }) },
  { method: 'POST', route: '/api/projects', permissions: ['project:write'], ok: 201, request: () => ({ path: '/api/projects', body: { name: 'm', key: unique('P').replace(/[^A-Z0-9]/g, '') } }) },
  { method: 'GET', route: '/api/projects/{id}', permissions: ['project:read'], ok: 200, request: () => ({ path: `/api/projects/${MATRIX_PROJECT}` }) },
  { method: 'PATCH', route: '/api/projects/{id}', permissions: ['project:write'], ok: 200, request: () => ({ path: `/api/projects/${MATRIX_PROJECT}`, body: { description: unique('d') } }) },
  { method: 'DELETE', route: '/api/projects/{id}', permissions: ['project:delete'], ok: 200, request: (_fx, me) => ({ path: `/api/projects/${me.board.spareProject}` }) },
  { method: 'GET', route: '/api/projects/{id}/events', permissions: ['project:read'], ok: 200, request: () => ({ path: `/api/projects/${MATRIX_PROJECT}/events` }) },
  { method: 'GET', route: '/api/tasks', permissions: ['project:read'], ok: 200, request: () => ({ path: `/api/tasks?project_id=${MATRIX_PROJECT}` }) },
  { method: 'POST', route: '/api/tasks', permissions: ['project:write'], ok: 201, request: () => ({ path: '/api/tasks', body: { project_id: MATRIX_PROJECT, title: unique('t') } }) },
  {
    method: 'POST',
    route: '/api/tasks/execute',
    permissions: ['project:write', 'task:submit', 'agent:execute'],
    ok: 201,
    request: (_fx, me) => ({ path: '/api/tasks/execute', body: { task_id: me.board.card, agent_type: 'echo' } }),
  },
  { method: 'GET', route: '/api/tasks/{id}', permissions: ['project:read'], ok: 200, request: (_fx, me) => ({ path: `/api/tasks/${me.board.card}` }) },
  { method: 'PATCH', route: '/api/tasks/{id}', permissions: ['project:write'], ok: 200, request: (_fx, me) => ({ path: `/api/tasks/${me.board.card}`, body: { priority: 'high' } }) },
  { method: 'DELETE', route: '/api/tasks/{id}', permissions: ['project:write'], ok: 200, request: (_fx, me) => ({ path: `/api/tasks/${me.board.spareCard}` }) },
  { method: 'GET', route: '/api/tasks/{id}/executions', permissions: ['project:read'], ok: 200, request: (_fx, me) => ({ path: `/api/tasks/${me.board.card}/executions` }) },
  { method: 'GET', route: '/api/tasks/{id}/activity', permissions: ['project:read'], ok: 200, request: (_fx, me) => ({ path: `/api/tasks/${me.board.card}/activity` }) },
  // The shared project has no repository: 400 REPO_NOT_CONFIGURED once allowed.
  { method: 'GET', route: '/api/tasks/{id}/diff', permissions: ['project:read'], ok: 400, request: (_fx, me) => ({ path: `/api/tasks/${me.board.card}/diff` }) },
  { method: 'POST', route: '/api/tasks/{id}/create_pr', permissions: ['project:write'], ok: 400, request: (_fx, me) => ({ path: `/api/tasks/${me.board.card}/create_pr`, body: {} }) },
  { method: 'GET', route: '/api/agents/available', permissions: ['agent:list'], ok: 200, request: () => ({ path: '/api/agents/available' }) },
  { method: 'GET', route: '/api/agents/types', permissions: ['agent:list'], ok: 200, request: () => ({ path: '/api/agents/types' }) },
  // Tasks
  {
    method: 'POST',
    route: '/api/runtime/tasks/submit',
    permissions: ['task:submit', 'agent:execute'],
    ok: 202,
    request: () => ({ path: '/api/runtime/tasks/submit', body: { agent_type: 'echo', prompt: 'matrix' } }),
  },
  { method: 'GET', route: '/api/runtime/tasks', permissions: ['task:view'], ok: 200, request: () => ({ path: '/api/runtime/tasks' }) },
  { method: 'GET', route: '/api/runtime/inbox', permissions: ['task:view'], ok: 200, request: () => ({ path: '/api/runtime/inbox' }) },
  {
    method: 'GET',
    route: '/api/runtime/tasks/{task_id}/state',
    permissions: ['task:view'],
    ok: 200,
    request: (_fx, me) => ({ path: `/api/runtime/tasks/${me.tasks.done}/state` }),
  },
  {
    method: 'GET',
    route: '/api/runtime/tasks/{task_id}/events',
    permissions: ['task:view'],
    ok: 200,
    request: (_fx, me) => ({ path: `/api/runtime/tasks/${me.tasks.done}/events` }),
  },
  {
    method: 'POST',
    route: '/api/runtime/tasks/{task_id}/cancel',
    permissions: ['task:cancel'],
    ok: 200,
    request: (_fx, me) => ({ path: `/api/runtime/tasks/${me.tasks.running}/cancel` }),
  },
  {
    method: 'POST',
    route: '/api/runtime/tasks/{task_id}/answer',
    permissions: ['task:submit'],
    ok: 200,
    request: (_fx, me) => ({ path: `/api/runtime/tasks/${me.tasks.waiting}/answer`, body: { answer: 'yes' } }),
  },
  // Discovery
  { method: 'GET', route: '/api/runtime/agents', permissions: ['agent:list'], ok: 200, request: () => ({ path: '/api/runtime/agents' }) },
  { method: 'GET', route: '/api/runtime/agents/{agent_id}', permissions: ['agent:configure'], ok: 200, request: () => ({ path: '/api/runtime/agents/echo' }) },
  {
    method: 'PUT',
    route: '/api/runtime/agents/{agent_id}',
    permissions: ['agent:configure'],
    ok: 201,
    request: () => ({ path: `/api/runtime/agents/${unique('matrix-agent')}`, body: { kind: 'echo' } }),
  },
  { method: 'DELETE', route: '/api/runtime/agents/{agent_id}', permissions: ['agent:configure'], ok: 404, request: () => ({ path: '/api/runtime/agents/no-such-agent' }) },
  { method: 'POST', route: '/api/runtime/agents/{agent_id}/check', permissions: ['agent:configure'], ok: 200, request: () => ({ path: '/api/runtime/agents/echo/check', body: {} }) },
  // Removing a worktree is cleaning up after a task: task:cancel, like cancelling it. The owner's
  // finished echo task has no worktree: 404 WORKTREE_NOT_FOUND once allowed.
  { method: 'DELETE', route: '/api/runtime/tasks/{task_id}/worktree', permissions: ['task:cancel'], ok: 404, deniedAs: 'worktree.remove', request: (_fx, me) => ({ path: `/api/runtime/tasks/${me.tasks.done}/worktree` }) },
  { method: 'GET', route: '/api/runtime/skills', permissions: ['skill:list'], ok: 200, request: () => ({ path: '/api/runtime/skills' }) },
  // Users and tokens
  { method: 'GET', route: '/api/users/me', permissions: [], ok: 200, request: () => ({ path: '/api/users/me' }) },
  // Anyone may change their own password; a wrong current one (403 CURRENT_PASSWORD_WRONG) keeps
  // the fixtures' passwords and sessions as they are.
  {
    method: 'POST',
    route: '/api/users/me/password',
    permissions: [],
    ok: 403,
    request: () => ({ path: '/api/users/me/password', body: { current_password: 'not-the-Password-1', new_password: 'another-Password-2' } }),
  },
  { method: 'GET', route: '/api/users', permissions: ['admin:users'], ok: 200, request: () => ({ path: '/api/users' }) },
  {
    method: 'POST',
    route: '/api/users',
    permissions: ['admin:users'],
    ok: 201,
    request: () => ({ path: '/api/users', body: { username: unique('new'), roles: ['guest'] } }),
  },
  {
    method: 'PATCH',
    route: '/api/users/{id}',
    permissions: ['admin:users'],
    ok: 200,
    request: (fx) => ({ path: `/api/users/${fx.roles.guest.userId}`, body: { roles: ['guest'] } }),
  },
  {
    method: 'POST',
    route: '/api/users/{id}/tokens',
    permissions: [],
    ok: 201,
    request: (_fx, me) => ({ path: `/api/users/${me.userId}/tokens`, body: { name: 'own' } }),
  },
  { method: 'GET', route: '/api/users/{id}/tokens', permissions: [], ok: 200, request: (_fx, me) => ({ path: `/api/users/${me.userId}/tokens` }) },
  {
    method: 'DELETE',
    route: '/api/users/{id}/tokens/{token_id}',
    permissions: ['admin:users'],
    ok: 404,
    // Someone else's token: only admin:users may try (and finds no such token).
    request: (fx) => ({ path: `/api/users/${fx.other.userId}/tokens/no-such-token` }),
  },
  // Grants: idempotent requests on the guest (it already has the role, lacks the permission).
  { method: 'POST', route: '/api/users/{id}/roles', permissions: ['admin:users'], ok: 200, request: (fx) => ({ path: `/api/users/${fx.roles.guest.userId}/roles`, body: { role: 'guest' } }) },
  { method: 'DELETE', route: '/api/users/{id}/roles/{role}', permissions: ['admin:users'], ok: 200, request: (fx) => ({ path: `/api/users/${fx.roles.guest.userId}/roles/viewer` }) },
  {
    method: 'POST',
    route: '/api/users/{id}/permissions',
    permissions: ['admin:users'],
    ok: 200,
    request: (fx) => ({ path: `/api/users/${fx.roles.guest.userId}/permissions`, body: { permission: 'agent:list' } }),
  },
  {
    method: 'DELETE',
    route: '/api/users/{id}/permissions/{permission}',
    permissions: ['admin:users'],
    ok: 200,
    request: (fx) => ({ path: `/api/users/${fx.roles.guest.userId}/permissions/skill:install` }),
  },
  // Roles and policies (a new policy names an agent id that does not exist: it changes nothing).
  { method: 'GET', route: '/api/roles', permissions: [], ok: 200, request: () => ({ path: '/api/roles' }) },
  { method: 'GET', route: '/api/policies', permissions: ['admin:system'], ok: 200, request: () => ({ path: '/api/policies' }) },
  {
    method: 'POST',
    route: '/api/policies',
    permissions: ['admin:system'],
    ok: 201,
    request: () => ({ path: '/api/policies', body: { resource_type: 'agent', resource_id: unique('matrix'), description: 'matrix' } }),
  },
  { method: 'POST', route: '/api/policies/explain', permissions: [], ok: 200, request: () => ({ path: '/api/policies/explain', body: { permission: 'agent:list' } }) },
  { method: 'GET', route: '/api/policies/{id}', permissions: ['admin:system'], ok: 404, request: () => ({ path: '/api/policies/no-such-policy' }) },
  {
    method: 'PUT',
    route: '/api/policies/{id}',
    permissions: ['admin:system'],
    ok: 404,
    request: () => ({ path: '/api/policies/no-such-policy', body: { resource_type: 'agent', resource_id: 'x' } }),
  },
  { method: 'DELETE', route: '/api/policies/{id}', permissions: ['admin:system'], ok: 404, request: () => ({ path: '/api/policies/no-such-policy' }) },
  // Sessions
  {
    method: 'DELETE',
    route: '/api/runtime/sessions/{session_id}',
    permissions: ['admin:users'],
    ok: 200,
    denied: 404,
    deniedAs: 'session.delete',
    request: (fx) => ({ path: `/api/runtime/sessions/${fx.otherSessionId}` }),
  },
  { method: 'POST', route: '/api/runtime/sessions', permissions: [], ok: 201, request: () => ({ path: '/api/runtime/sessions', body: {} }) },
  { method: 'GET', route: '/api/runtime/sessions', permissions: [], ok: 200, request: () => ({ path: '/api/runtime/sessions' }) },
  { method: 'DELETE', route: '/api/web/session', permissions: [], ok: 204, request: () => ({ path: '/api/web/session' }) },
  {
    method: 'GET',
    route: '/api/runtime/sessions/{session_id}',
    permissions: ['admin:users'],
    ok: 200,
    denied: 404,
    deniedAs: 'session.read',
    request: (fx) => ({ path: `/api/runtime/sessions/${fx.otherSessionId}` }),
  },
  // A session's memory and history answer only a caller acting in that very session:
  // no role reaches another session's with an API token (404 for everyone).
  ...(['GET', 'PUT', 'DELETE'] as const).map((method) => ({
    method,
    route: '/api/runtime/sessions/{session_id}/memory/{key}',
    permissions: [],
    ok: 404,
    request: (fx: Fixture) => ({ path: `/api/runtime/sessions/${fx.otherSessionId}/memory/k`, ...(method === 'PUT' ? { body: { value: 1 } } : {}) }),
  })),
  { method: 'GET', route: '/api/runtime/sessions/{session_id}/memory', permissions: [], ok: 404, request: (fx) => ({ path: `/api/runtime/sessions/${fx.otherSessionId}/memory` }) },
  { method: 'GET', route: '/api/runtime/sessions/{session_id}/history', permissions: [], ok: 404, request: (fx) => ({ path: `/api/runtime/sessions/${fx.otherSessionId}/history` }) },
  // Audit
  { method: 'GET', route: '/api/audit/events', permissions: ['admin:system'], ok: 200, request: () => ({ path: '/api/audit/events?limit=5' }) },
  { method: 'GET', route: '/api/audit/export', permissions: ['admin:system'], ok: 200, request: () => ({ path: '/api/audit/export?format=ndjson' }) },
  { method: 'GET', route: '/api/audit/verify', permissions: ['admin:system'], ok: 200, request: () => ({ path: '/api/audit/verify' }) },
  {
    method: 'GET',
    route: '/api/audit/users/{user_id}/activity',
    permissions: ['admin:users'],
    ok: 200,
    request: (fx) => ({ path: `/api/audit/users/${fx.other.userId}/activity` }),
  },
  {
    method: 'GET',
    route: '/api/audit/sessions/{session_id}/activity',
    permissions: ['admin:system'],
    ok: 200,
    request: () => ({ path: `/api/audit/sessions/${crypto.randomUUID()}/activity` }),
  },
  // Approvals: the caller's own finished task has none pending.
  {
    method: 'POST',
    route: '/api/runtime/tasks/{task_id}/approve',
    permissions: ['task:view'],
    ok: 409,
    request: (_fx, me) => ({ path: `/api/runtime/tasks/${me.tasks.done}/approve`, body: { decision: 'approve' } }),
  },
  // Skills: installing from an address that refuses the connection fails after authorization.
  {
    method: 'POST',
    route: '/api/runtime/skills',
    permissions: ['skill:install'],
    ok: 422,
    request: () => ({ path: '/api/runtime/skills', body: { git_url: 'https://127.0.0.1:9/none.git' } }),
  },
  { method: 'GET', route: '/api/runtime/skills/{skill_id}', permissions: ['skill:list'], ok: 404, request: () => ({ path: '/api/runtime/skills/no-such-skill' }) },
  { method: 'DELETE', route: '/api/runtime/skills/{skill_id}', permissions: ['skill:install'], ok: 404, request: () => ({ path: '/api/runtime/skills/no-such-skill' }) },
  // Devices: each caller registers, reads and revokes a device of its own; approving another's needs admin:users.
  {
    method: 'POST',
    route: '/api/devices',
    permissions: [],
    ok: 201,
    request: (_fx, me) => ({ path: '/api/devices', body: { device_id: deviceOf(me), name: 'matrix' } }),
  },
  { method: 'GET', route: '/api/devices', permissions: [], ok: 200, request: () => ({ path: '/api/devices' }) },
  // Remote worker nodes (the link itself, /api/nodes/link, is a WebSocket: test/nodes.test.ts checks node:connect)
  { method: 'GET', route: '/api/nodes', permissions: ['node:read'], ok: 200, request: () => ({ path: '/api/nodes' }) },
  { method: 'GET', route: '/api/devices/{id}', permissions: [], ok: 200, request: (_fx, me) => ({ path: `/api/devices/${deviceOf(me)}` }) },
  {
    method: 'POST',
    route: '/api/devices/{id}/approve',
    permissions: ['admin:users'],
    // The admin's own device has no key: it cannot be approved (409); others may not even see it.
    ok: 409,
    denied: 404,
    deniedAs: 'device.approve',
    request: (fx) => ({ path: `/api/devices/${deviceOf(fx.other)}/approve` }),
  },
  { method: 'POST', route: '/api/devices/{id}/revoke', permissions: [], ok: 200, request: (_fx, me) => ({ path: `/api/devices/${deviceOf(me)}/revoke` }) },
  // Telegram: anyone links their own account; unlinking a link that is not one's own is 404 for everyone.
  { method: 'POST', route: '/api/telegram/link-codes', permissions: [], ok: 201, request: () => ({ path: '/api/telegram/link-codes', body: {} }) },
  { method: 'GET', route: '/api/telegram/links', permissions: [], ok: 200, request: () => ({ path: '/api/telegram/links' }) },
  { method: 'DELETE', route: '/api/telegram/links/{telegram_user_id}', permissions: [], ok: 404, request: () => ({ path: '/api/telegram/links/999000999' }) },
  // MCP: any caller may connect; each tool call is then decided like its HTTP route (test/mcp.test.ts).
  {
    method: 'POST',
    route: '/mcp',
    permissions: [],
    ok: 200,
    headers: { accept: 'application/json, text/event-stream' },
    request: () => ({ path: '/mcp', body: { jsonrpc: '2.0', id: 1, method: 'ping' } }),
  },
];
