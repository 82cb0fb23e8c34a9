/** The one mapping from error codes to HTTP statuses, and the JSON error body. */
import { ERROR_CATALOG, type ErrorCode, SwitchboardError } from '../../core/domain/errors.ts';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  AUTH_FORBIDDEN: 403,
  AUTH_RATE_LIMITED: 429,
  CSRF_FAILED: 403,
  CURRENT_PASSWORD_WRONG: 403,
  SESSION_NOT_FOUND: 404,
  SESSION_MEMORY_KEY_NOT_FOUND: 404,
  SESSION_MEMORY_KEY_INVALID: 422,
  SESSION_MEMORY_VALUE_TOO_LARGE: 413,
  SESSION_MEMORY_FULL: 422,
  USER_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  PASSWORD_TOO_WEAK: 422,
  TOKEN_NOT_FOUND: 404,
  POLICY_NOT_FOUND: 404,
  POLICY_ID_TAKEN: 409,
  DEVICE_NOT_FOUND: 404,
  DEVICE_ID_TAKEN: 409,
  DEVICE_KEY_REQUIRED: 409,
  DEVICE_PROOF_INVALID: 401,
  DEVICE_REVOKED: 403,
  TASK_NOT_FOUND: 404,
  TASK_INVALID_TRANSITION: 409,
  TASK_TERMINAL: 409,
  TASK_NOT_WAITING: 409,
  TASK_AWAITING_APPROVAL: 409,
  APPROVAL_NOT_PENDING: 409,
  TASK_LEASE_LOST: 409,
  IDEMPOTENCY_CONFLICT: 409,
  AGENT_NOT_FOUND: 422,
  AGENT_UNAVAILABLE: 503,
  AGENT_FAILED: 502,
  AGENT_CONFIG_INVALID: 422,
  AGENT_READ_ONLY: 409,
  TASK_NOT_TERMINAL: 409,
  WORKTREE_NOT_FOUND: 404,
  PROJECT_NOT_FOUND: 404,
  PROJECT_KEY_TAKEN: 400,
  PROJECT_HAS_TASKS: 409,
  REPO_PATH_INVALID: 400,
  BOARD_TASK_NOT_FOUND: 404,
  REPO_NOT_CONFIGURED: 400,
  NOTHING_TO_PROPOSE: 409,
  GIT_PUSH_REFUSED: 409,
  GITHUB_TOKEN_MISSING: 400,
  GITHUB_TOKEN_INVALID: 422,
  GITHUB_FORBIDDEN: 422,
  GITHUB_REPO_NOT_FOUND: 404,
  GITHUB_API_FAILED: 502,
  SKILL_NOT_FOUND: 404,
  SKILL_EXISTS: 409,
  SKILL_READ_ONLY: 409,
  SKILL_ARCHIVE_INVALID: 400,
  SKILL_TOO_LARGE: 413,
  SKILL_INVALID: 422,
  SKILL_SOURCE_FAILED: 422,
  TELEGRAM_LINK_CODE_INVALID: 400,
  TELEGRAM_LINK_NOT_FOUND: 404,
  RUNTIME_SHUTTING_DOWN: 503,
  STORE_UNAVAILABLE: 503,
  AUDIT_CHAIN_BROKEN: 500,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown>; request_id?: string };
}

/** The wire form of an error: exposed errors keep their message; others say only the catalog text. */
export function errorBody(err: SwitchboardError, requestId?: string): ErrorBody {
  const exposed = err.exposed;
  return {
    error: {
      code: err.code,
      message: exposed ? err.message : ERROR_CATALOG[err.code].message,
      ...(exposed && err.details !== undefined ? { details: { ...err.details } } : {}),
      ...(requestId !== undefined && !exposed ? { request_id: requestId } : {}),
    },
  };
}
