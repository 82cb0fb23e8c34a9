/**
 * The one error catalog. Codes are SCREAMING_SNAKE with an area prefix; a released
 * code is never reused. Transports map codes to their wire (HTTP status, exit code)
 * in one table each; `exposed: false` errors show clients only a generic message.
 */

export const ERROR_CATALOG = {
  VALIDATION_FAILED: { message: 'The request is not valid', exposed: true },
  BODY_TOO_LARGE: { message: 'The request body is larger than allowed', exposed: true },
  MALFORMED_JSON: { message: 'The request body is not valid JSON', exposed: true },
  NOT_FOUND: { message: 'No such resource', exposed: true },
  AUTH_REQUIRED: { message: 'Authentication is required', exposed: true },
  AUTH_INVALID: { message: 'The credential is not valid', exposed: true },
  AUTH_FORBIDDEN: { message: 'Permission denied', exposed: true },
  AUTH_RATE_LIMITED: { message: 'Too many failed logins; try again later', exposed: true },
  CSRF_FAILED: { message: 'The request did not come from this server\'s pages (missing or wrong CSRF token, or a foreign Origin)', exposed: true },
  SESSION_NOT_FOUND: { message: 'No such session', exposed: true },
  SESSION_MEMORY_KEY_NOT_FOUND: { message: 'No such key in the session memory', exposed: true },
  SESSION_MEMORY_KEY_INVALID: { message: 'The memory key is not valid', exposed: true },
  SESSION_MEMORY_VALUE_TOO_LARGE: { message: 'The memory value is too large', exposed: true },
  SESSION_MEMORY_FULL: { message: 'The session memory holds too many keys', exposed: true },
  USER_NOT_FOUND: { message: 'No such user', exposed: true },
  USERNAME_TAKEN: { message: 'A user with this name already exists', exposed: true },
  CURRENT_PASSWORD_WRONG: { message: 'The current password is missing or wrong', exposed: true },
  PASSWORD_TOO_WEAK: { message: 'The password is too weak', exposed: true },
  TOKEN_NOT_FOUND: { message: 'No such API token', exposed: true },
  POLICY_NOT_FOUND: { message: 'No such policy', exposed: true },
  POLICY_ID_TAKEN: { message: 'A policy with this id already exists', exposed: true },
  DEVICE_NOT_FOUND: { message: 'No such device', exposed: true },
  DEVICE_ID_TAKEN: { message: 'This device id is already registered', exposed: true },
  DEVICE_KEY_REQUIRED: { message: 'The device has no public key', exposed: true },
  DEVICE_PROOF_INVALID: { message: 'The device proof is missing or not valid', exposed: true },
  DEVICE_REVOKED: { message: 'The device has been revoked', exposed: true },
  TASK_NOT_FOUND: { message: 'No such task', exposed: true },
  TASK_INVALID_TRANSITION: { message: 'The task cannot change to that state', exposed: true },
  TASK_TERMINAL: { message: 'The task has already finished', exposed: true },
  TASK_NOT_WAITING: { message: 'The task is not waiting for an answer', exposed: true },
  TASK_AWAITING_APPROVAL: { message: 'The task waits for an approval of a tool call, not an answer; approve or deny it', exposed: true },
  APPROVAL_NOT_PENDING: { message: 'The task is not waiting for that approval', exposed: true },
  TASK_LEASE_LOST: { message: 'The worker no longer holds the task', exposed: false },
  IDEMPOTENCY_CONFLICT: {
    message: 'This Idempotency-Key was already used for a different request',
    exposed: true,
  },
  AGENT_NOT_FOUND: { message: 'No such agent', exposed: true },
  AGENT_UNAVAILABLE: { message: 'The agent cannot run right now', exposed: true },
  AGENT_FAILED: { message: 'The agent failed', exposed: true },
  AGENT_CONFIG_INVALID: { message: 'The agent configuration is not valid', exposed: true },
  AGENT_READ_ONLY: { message: 'The agent is defined in the configuration file and cannot be changed over the API', exposed: true },
  TASK_NOT_TERMINAL: { message: 'The task has not finished yet', exposed: true },
  WORKTREE_NOT_FOUND: { message: 'The task has no worktree', exposed: true },
  PROJECT_NOT_FOUND: { message: 'No such project', exposed: true },
  PROJECT_KEY_TAKEN: { message: 'A project with this key already exists', exposed: true },
  PROJECT_HAS_TASKS: { message: 'The project still has tasks', exposed: true },
  REPO_PATH_INVALID: { message: 'The repository path is not usable', exposed: true },
  BOARD_TASK_NOT_FOUND: { message: 'No such board task', exposed: true },
  REPO_NOT_CONFIGURED: { message: 'The project has no repository for this', exposed: true },
  NOTHING_TO_PROPOSE: { message: 'There are no changes to propose', exposed: true },
  GIT_PUSH_REFUSED: { message: 'The repository refused the push', exposed: true },
  GITHUB_TOKEN_MISSING: { message: 'No GitHub token is configured', exposed: true },
  GITHUB_TOKEN_INVALID: { message: 'GitHub refused the token', exposed: true },
  GITHUB_FORBIDDEN: { message: 'The GitHub token lacks the rights for this', exposed: true },
  GITHUB_REPO_NOT_FOUND: { message: 'GitHub has no such repository for this token', exposed: true },
  GITHUB_API_FAILED: { message: 'The GitHub API refused the request', exposed: true },
  SKILL_NOT_FOUND: { message: 'No such skill', exposed: true },
  SKILL_EXISTS: { message: 'A skill with this id is already installed', exposed: true },
  SKILL_READ_ONLY: { message: 'The skill is in a configured folder and cannot be changed here', exposed: true },
  SKILL_ARCHIVE_INVALID: { message: 'The skill archive or folder was refused', exposed: true },
  SKILL_TOO_LARGE: { message: 'The skill is larger than allowed', exposed: true },
  SKILL_INVALID: { message: 'The SKILL.md is missing or not valid', exposed: true },
  SKILL_SOURCE_FAILED: { message: 'The skill could not be fetched from its source', exposed: true },
  TELEGRAM_LINK_CODE_INVALID: { message: 'The link code is unknown, expired or already used', exposed: true },
  TELEGRAM_LINK_NOT_FOUND: { message: 'No such Telegram link', exposed: true },
  NODE_DEVICE_UNTRUSTED: { message: 'A worker node must connect from a trusted (approved) device with a proven key', exposed: true },
  NODE_ID_TAKEN: { message: 'Another device is connected under this node id', exposed: true },
  NODE_PROTOCOL_UNSUPPORTED: { message: 'The node speaks a link protocol version this server does not', exposed: true },
  WS_PROTOCOL_UNSUPPORTED: { message: 'This server does not speak that WebSocket protocol version', exposed: true },
  WS_SUBSCRIPTION_LIMIT: { message: 'The connection holds as many subscriptions as allowed', exposed: true },
  WS_SUBSCRIPTION_NOT_FOUND: { message: 'No such subscription on this connection', exposed: true },
  RUNTIME_SHUTTING_DOWN: { message: 'The server is shutting down', exposed: true },
  STORE_UNAVAILABLE: { message: 'The database is not reachable', exposed: false },
  AUDIT_CHAIN_BROKEN: { message: 'The audit chain does not verify', exposed: true },
  INTERNAL: { message: 'Internal error', exposed: false },
} as const satisfies Record<string, { message: string; exposed: boolean }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Every error the runtime raises on purpose. */
export class SwitchboardError extends Error {
  override readonly name = 'SwitchboardError';
  readonly code: ErrorCode;
  /** Safe, client-visible details (never secrets). */
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** Whether trying again later may succeed, and after how long. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message ?? ERROR_CATALOG[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = details;
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** True when the client may see this error's own message. */
  get exposed(): boolean {
    return ERROR_CATALOG[this.code].exposed;
  }
}

/** Type guard that also narrows on a code. */
export function isSwitchboardError(err: unknown, code?: ErrorCode): err is SwitchboardError {
  return err instanceof SwitchboardError && (code === undefined || err.code === code);
}

/**
 * An agent failure. `retryable` failures get another attempt when the agent's retry
 * policy allows; the engine decides, adapters only say.
 */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { retryable?: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? false;
    this.retryAfterMs = options?.retryAfterMs;
  }
}
