/**
 * The HTTP client of the CLI: one method per API call, errors turned into
 * {@link ApiError} (the server's code and message) or {@link ConnectionError}.
 */
import { ApiError, ConnectionError } from './cli-errors.ts';
import type { AgentDefinitionView, WorktreeRemovalView } from './agent-wire-types.ts';
import type { ClientSettings } from './settings.ts';
import { rawRequestBody, type RawBody } from './raw-body.ts';
import type {
  AgentView,
  AuditPage,
  AuditVerifyView,
  CreatedTokenView,
  LoginView,
  NewUserRequest,
  TaskPage,
  TaskView,
  TokenView,
  UserPatchRequest,
  UserView,
} from './wire-types.ts';

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
  removeWorktree(taskId: string, deleteBranch: boolean): Promise<WorktreeRemovalView>;
  /** One page of audit records, newest first. */
  queryAudit(scope: AuditScope, query: AuditQuery): Promise<AuditPage>;
  /** Opens the streamed audit export (JSON array or NDJSON); the caller reads it to the end. */
  exportAudit(query: AuditFilterQuery, format: 'json' | 'ndjson', signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  verifyAudit(): Promise<AuditVerifyView>;
  me(): Promise<UserView>;
  login(body: { username: string; password: string; device_id?: string; device_proof?: { challenge_id: string; signature: string } }): Promise<LoginView>;
  logout(sessionId: string): Promise<unknown>;
  listUsers(): Promise<UserView[]>;
  createUser(body: NewUserRequest): Promise<UserView>;
  updateUser(userId: string, patch: UserPatchRequest): Promise<UserView>;
  createToken(userId: string, body: { name: string; expires_at?: string }): Promise<CreatedTokenView>;
  listTokens(userId: string): Promise<TokenView[]>;
  revokeToken(userId: string, tokenId: string): Promise<TokenView>;
  /** A JSON call to a path under the server URL (typed wrappers live next to their commands, e.g. policy-client.ts). */
  call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** POSTs a raw body (an archive upload); waits up to `timeoutMs` (default: 10 minutes). */
  upload<T>(path: string, body: RawBody, timeoutMs?: number): Promise<T>;
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

  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await send(method, path, body === undefined ? {} : { body });
    try {
      return (await res.json()) as T;
    } catch (err) {
      throw new ConnectionError(base, `unreadable answer: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const task = (id: string, tail: string): string => `/api/runtime/tasks/${encodeURIComponent(id)}/${tail}`;
  const withQuery = (path: string, query: object): string => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return q === '' ? path : `${path}?${q}`;
  };
  const user = (id: string, tail: string): string => `/api/users/${encodeURIComponent(id)}${tail}`;
  const auditPath = (scope: AuditScope): string =>
    scope.kind === 'all'
      ? '/api/audit/events'
      : `/api/audit/${scope.kind === 'user' ? 'users' : 'sessions'}/${encodeURIComponent(scope.id)}/activity`;

  return {
    url: base,
    async submit(body, idempotencyKey) {
      const res = await send('POST', '/api/runtime/tasks/submit', {
        body,
        ...(idempotencyKey !== undefined ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      });
      return { task: (await res.json()) as TaskView, replayed: res.headers.get('idempotent-replayed') === 'true' };
    },
    getTask: (id) => json<TaskView>('GET', task(id, 'state')),
    listTasks(query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
      const q = qs.toString();
      return json<TaskPage>('GET', `/api/runtime/tasks${q === '' ? '' : `?${q}`}`);
    },
    cancel: (id) => json<TaskView>('POST', task(id, 'cancel'), {}),
    answer: (id, answer) => json<TaskView>('POST', task(id, 'answer'), { answer }),
    approve: (id, body) => json<TaskView>('POST', task(id, 'approve'), body),
    listAgents: () => json<AgentView[]>('GET', '/api/runtime/agents'),
    getAgent: (id) => json<AgentDefinitionView>('GET', `/api/runtime/agents/${encodeURIComponent(id)}`),
    putAgent: (id, config) => json<AgentDefinitionView>('PUT', `/api/runtime/agents/${encodeURIComponent(id)}`, config),
    deleteAgent: (id) => json<AgentDefinitionView>('DELETE', `/api/runtime/agents/${encodeURIComponent(id)}`),
    checkAgent: (id) => json<AgentDefinitionView>('POST', `/api/runtime/agents/${encodeURIComponent(id)}/check`, {}),
    removeWorktree: (id, deleteBranch) => json<WorktreeRemovalView>('DELETE', `${task(id, 'worktree')}${deleteBranch ? '?delete_branch=true' : ''}`),
    queryAudit: (scope, query) => json<AuditPage>('GET', withQuery(auditPath(scope), query)),
    async exportAudit(query, format, signal) {
      const res = await send('GET', withQuery('/api/audit/export', { ...query, format }), { signal });
      if (res.body === null) throw new ConnectionError(base, 'the export has no body');
      return res.body;
    },
    verifyAudit: () => json<AuditVerifyView>('GET', '/api/audit/verify'),
    me: () => json<UserView>('GET', '/api/users/me'),
    login: (body) => json<LoginView>('POST', '/api/auth/login', body),
    logout: (id) => json<unknown>('DELETE', `/api/runtime/sessions/${encodeURIComponent(id)}`),
    listUsers: async () => (await json<{ users: UserView[] }>('GET', '/api/users')).users,
    createUser: (body) => json<UserView>('POST', '/api/users', body),
    updateUser: (id, patch) => json<UserView>('PATCH', user(id, ''), patch),
    createToken: (id, body) => json<CreatedTokenView>('POST', user(id, '/tokens'), body),
    listTokens: async (id) => (await json<{ tokens: TokenView[] }>('GET', user(id, '/tokens'))).tokens,
    revokeToken: (id, tokenId) => json<TokenView>('DELETE', user(id, `/tokens/${encodeURIComponent(tokenId)}`)),
    call: (method, path, body) => json(method, path, body),
    async upload<T>(path: string, raw: RawBody, timeoutMs = 10 * 60_000): Promise<T> {
      const res = await send('POST', path, { raw, timeoutMs });
      return (await res.json()) as T;
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
