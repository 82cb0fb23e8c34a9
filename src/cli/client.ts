/**
 * The HTTP client of the CLI: one method per API call, errors turned into
 * {@link ApiError} (the server's code and message) or {@link ConnectionError}.
 */
import { z } from 'zod';
import { ApiError, ConnectionError } from './cli-errors.ts';
import type { ClientSettings } from './settings.ts';
import { rawRequestBody, type RawBody } from './raw-body.ts';
import { decodeWire } from './decode.ts';
import { agentDefinitionView, agentList, worktreeView, type AgentDefinitionView, type AgentView, type WorktreeView } from '../wire/agent.ts';
import { auditPage, auditVerifyView, type AuditPage, type AuditVerifyView } from '../wire/audit.ts';
import { createdSessionView, sessionView, type CreatedSessionView } from '../wire/session.ts';
import { taskList, taskView, type TaskPage, type TaskView } from '../wire/task.ts';
import { createdTokenView, tokenList, tokenView, userList, userView, type CreatedTokenView, type TokenView, type UserView } from '../wire/user.ts';

/** The body of POST /api/users and PATCH /api/users/{id}. */
export interface NewUserRequest {
  readonly username: string;
  readonly password?: string;
  readonly roles: readonly string[];
}
export interface UserPatchRequest {
  readonly roles?: readonly string[];
  readonly disabled?: boolean;
  readonly password?: string;
}

/** The body of POST /api/runtime/tasks/submit. */
export interface SubmitRequest {
  readonly agent_type: string;
  readonly prompt: string;
  readonly context?: Record<string, unknown>;
  readonly session_id?: string;
  readonly project_id?: string;
}

/** Filters of GET /api/runtime/tasks. */
export interface ListTasksQuery {
  readonly state?: string;
  readonly agent_type?: string;
  readonly project_id?: string;
  readonly session_id?: string;
  readonly owner_id?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** Filters of the audit endpoints (snake_case, as on the wire); times are ISO 8601 or ms. */
export interface AuditFilterQuery {
  readonly user_id?: string;
  readonly session_id?: string;
  readonly event_type?: string;
  readonly resource_type?: string;
  readonly resource_id?: string;
  readonly status?: string;
  readonly from?: string;
  readonly to?: string;
}

/** Filters and paging of GET /api/audit/events and the activity endpoints. */
export interface AuditQuery extends AuditFilterQuery {
  readonly limit?: number;
  readonly cursor?: string;
}

/** Which audit listing to read: everything (admin), one user's or one session's activity. */
export type AuditScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'session'; readonly id: string };

/** What the client commands call; one method per endpoint. */
export interface ApiClient {
  /** The base URL, for messages. */
  readonly url: string;
  /** Submits a task; `replayed` is true when an Idempotency-Key matched an earlier submit. */
  submit(body: SubmitRequest, idempotencyKey?: string): Promise<{ task: TaskView; replayed: boolean }>;
  getTask(taskId: string): Promise<TaskView>;
  listTasks(query: ListTasksQuery): Promise<TaskPage>;
  cancel(taskId: string): Promise<TaskView>;
  answer(taskId: string, answer: string): Promise<TaskView>;
  /** Decides the pending approval of a skill call. */
  approve(taskId: string, body: { decision: 'approve' | 'deny'; reason?: string; approval_id?: string }): Promise<TaskView>;
  listAgents(): Promise<AgentView[]>;
  getAgent(agentId: string): Promise<AgentDefinitionView>;
  /** Creates or replaces a database-defined agent. */
  putAgent(agentId: string, config: Record<string, unknown>): Promise<AgentDefinitionView>;
  deleteAgent(agentId: string): Promise<AgentDefinitionView>;
  checkAgent(agentId: string): Promise<AgentDefinitionView>;
  removeWorktree(taskId: string, deleteBranch: boolean): Promise<WorktreeView>;
  /** One page of audit records, newest first. */
  queryAudit(scope: AuditScope, query: AuditQuery): Promise<AuditPage>;
  /** Opens the streamed audit export (JSON array or NDJSON); the caller reads it to the end. */
  exportAudit(query: AuditFilterQuery, format: 'json' | 'ndjson', signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  verifyAudit(): Promise<AuditVerifyView>;
  me(): Promise<UserView>;
  login(body: { username: string; password: string; device_id?: string; device_proof?: { challenge_id: string; signature: string } }): Promise<CreatedSessionView>;
  logout(sessionId: string): Promise<unknown>;
  listUsers(): Promise<UserView[]>;
  createUser(body: NewUserRequest): Promise<UserView>;
  updateUser(userId: string, patch: UserPatchRequest): Promise<UserView>;
  createToken(userId: string, body: { name: string; expires_at?: string }): Promise<CreatedTokenView>;
  listTokens(userId: string): Promise<TokenView[]>;
  revokeToken(userId: string, tokenId: string): Promise<TokenView>;
  /** A JSON call to a path under the server URL, its answer parsed with `schema` (typed wrappers live next to their commands). */
  call<S extends z.ZodType>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, schema: S, body?: unknown): Promise<z.output<S>>;
  /** POSTs a raw body (an archive upload), its answer parsed with `schema`; waits up to `timeoutMs` (default: 10 minutes). */
  upload<S extends z.ZodType>(path: string, schema: S, body: RawBody, timeoutMs?: number): Promise<z.output<S>>;
  /** Opens the SSE stream of a task's events after `afterSeq`; the caller reads and ends it. */
  openEvents(taskId: string, afterSeq: number, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

/** Requests other than event streams give up after this long (default: 30 s). */
const REQUEST_TIMEOUT_MS = 30_000;

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_SOCKET: 'connection dropped',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
};

/** A short human reason for a failed fetch (undici hides the system error in `cause`). */
export function connectionReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code !== undefined) return REASONS[code] ?? code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const e = body.error;
    if (e !== undefined && typeof e.code === 'string' && typeof e.message === 'string') {
      const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : undefined;
      return new ApiError(res.status, e.code, e.message, details);
    }
  } catch {
    // Not our JSON (a proxy's HTML page, another service): fall through.
  }
  return new ApiError(res.status, `HTTP_${res.status}`, `the server answered ${res.status} ${res.statusText}`.trim());
}

/** Creates a client bound to one server and token. */
export function createApiClient(settings: ClientSettings): ApiClient {
  const base = settings.url;

  async function send(
    method: string,
    path: string,
    init: { body?: unknown; raw?: RawBody; timeoutMs?: number; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (settings.token !== undefined) headers.set('authorization', `Bearer ${settings.token}`);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    if (init.raw !== undefined) headers.set('content-type', init.raw.contentType);
    else if (init.body !== undefined) headers.set('content-type', 'application/json');
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        ...(init.raw !== undefined ? rawRequestBody(init.raw) : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: init.signal ?? AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      // Our own abort (Ctrl-C, end of a follow) is not a connection problem.
      if (init.signal?.aborted === true) throw err;
      throw new ConnectionError(base, connectionReason(err));
    }
    if (!res.ok) throw await toApiError(res);
    return res;
  }

  /** Reads an answer's JSON and parses it with its endpoint's schema. */
  async function decode<S extends z.ZodType>(res: Response, method: string, path: string, schema: S): Promise<z.output<S>> {
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new ConnectionError(base, `unreadable answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    return decodeWire(schema, `${method} ${path.split('?')[0] ?? path}`, body);
  }

  async function json<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const res = await send(method, path, body === undefined ? {} : { body });
    return decode(res, method, path, schema);
  }

  const task = (id: string, tail: string): string => `/api/runtime/tasks/${encodeURIComponent(id)}/${tail}`;
  const withQuery = (path: string, query: object): string => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return q === '' ? path : `${path}?${q}`;
  };
  const agent = (id: string): string => `/api/runtime/agents/${encodeURIComponent(id)}`;
  const user = (id: string, tail: string): string => `/api/users/${encodeURIComponent(id)}${tail}`;
  const auditPath = (scope: AuditScope): string =>
    scope.kind === 'all'
      ? '/api/audit/events'
      : `/api/audit/${scope.kind === 'user' ? 'users' : 'sessions'}/${encodeURIComponent(scope.id)}/activity`;

  return {
    url: base,
    async submit(body, idempotencyKey) {
      const path = '/api/runtime/tasks/submit';
      const res = await send('POST', path, {
        body,
        ...(idempotencyKey !== undefined ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      });
      return { task: await decode(res, 'POST', path, taskView), replayed: res.headers.get('idempotent-replayed') === 'true' };
    },
    getTask: (id) => json('GET', task(id, 'state'), taskView),
    listTasks: (query) => json('GET', withQuery('/api/runtime/tasks', query), taskList),
    cancel: (id) => json('POST', task(id, 'cancel'), taskView, {}),
    answer: (id, answer) => json('POST', task(id, 'answer'), taskView, { answer }),
    approve: (id, body) => json('POST', task(id, 'approve'), taskView, body),
    listAgents: () => json('GET', '/api/runtime/agents', agentList),
    getAgent: (id) => json('GET', agent(id), agentDefinitionView),
    putAgent: (id, config) => json('PUT', agent(id), agentDefinitionView, config),
    deleteAgent: (id) => json('DELETE', agent(id), agentDefinitionView),
    checkAgent: (id) => json('POST', `${agent(id)}/check`, agentDefinitionView, {}),
    removeWorktree: (id, deleteBranch) => json('DELETE', `${task(id, 'worktree')}${deleteBranch ? '?delete_branch=true' : ''}`, worktreeView),
    queryAudit: (scope, query) => json('GET', withQuery(auditPath(scope), query), auditPage),
    async exportAudit(query, format, signal) {
      const res = await send('GET', withQuery('/api/audit/export', { ...query, format }), { signal });
      if (res.body === null) throw new ConnectionError(base, 'the export has no body');
      return res.body;
    },
    verifyAudit: () => json('GET', '/api/audit/verify', auditVerifyView),
    me: () => json('GET', '/api/users/me', userView),
    login: (body) => json('POST', '/api/auth/login', createdSessionView, body),
    logout: (id) => json('DELETE', `/api/runtime/sessions/${encodeURIComponent(id)}`, sessionView),
    listUsers: async () => (await json('GET', '/api/users', userList)).users,
    createUser: (body) => json('POST', '/api/users', userView, body),
    updateUser: (id, patch) => json('PATCH', user(id, ''), userView, patch),
    createToken: (id, body) => json('POST', user(id, '/tokens'), createdTokenView, body),
    listTokens: async (id) => (await json('GET', user(id, '/tokens'), tokenList)).tokens,
    revokeToken: (id, tokenId) => json('DELETE', user(id, `/tokens/${encodeURIComponent(tokenId)}`), tokenView),
    call: (method, path, schema, body) => json(method, path, schema, body),
    async upload(path, schema, raw, timeoutMs = 10 * 60_000) {
      const res = await send('POST', path, { raw, timeoutMs });
      return decode(res, 'POST', path, schema);
    },
    async openEvents(id, afterSeq, signal) {
      const res = await send('GET', task(id, 'events'), {
        signal,
        headers: { accept: 'text/event-stream', ...(afterSeq > 0 ? { 'last-event-id': String(afterSeq) } : {}) },
      });
      if (res.body === null) throw new ConnectionError(base, 'the event stream has no body');
      return res.body;
    },
  };
}
