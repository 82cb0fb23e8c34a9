/**
 * The HTTP wire model as the CLI sees it. Type-only imports of the server's zod
 * schemas: the compiler keeps client and server in step, and no server code loads.
 */
import type { z } from 'zod';
import { parseTaskState } from '../core/domain/task-states.ts';
import { isTerminal } from '../core/domain/transitions.ts';
import type { agentView } from '../wire/agent.ts';
import type { EventView } from '../wire/event.ts';
import type { TaskView } from '../wire/task.ts';
import type { AuditEventView, AuditVerifyView } from '../wire/audit.ts';
import type { createdTokenView, tokenView, userView } from '../wire/user.ts';

/** A task and one of its events, exactly as the server sends them. */
export type { EventView, TaskView };

/** An audit record and a chain verification, exactly as the server sends them. */
export type { AuditEventView, AuditVerifyView };

/** A page of GET /api/audit/events (and the activity endpoints). */
export interface AuditPage {
  readonly events: AuditEventView[];
  readonly next_cursor: string | null;
}

/** A user, an API token (no secret) and a just-created token (its secret, once), as the server sends them. */
export type UserView = z.infer<typeof userView>;
export type TokenView = z.infer<typeof tokenView>;
export type CreatedTokenView = z.infer<typeof createdTokenView>;

/** The answer of POST /api/auth/login (the session secret, once). */
export interface LoginView {
  readonly session_id: string;
  readonly user_id: string;
  readonly token: string;
  readonly expires_at: string;
  readonly permissions: string[];
}

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

/** One entry of GET /api/runtime/agents. */
export type AgentView = z.infer<typeof agentView>;

/** A page of GET /api/runtime/tasks. */
export interface TaskPage {
  readonly tasks: TaskView[];
  readonly next_cursor: string | null;
}

/** True when a wire `state` is completed, failed or cancelled (the core's table decides). */
export function isTerminalState(state: string): boolean {
  const parsed = parseTaskState(state);
  return parsed !== undefined && isTerminal(parsed);
}

/** A device as the server returns it (GET /api/devices). */
export interface DeviceView {
  readonly device_id: string;
  readonly name: string;
  readonly owner_id: string;
  readonly trust: string;
  readonly public_key: string | null;
  readonly key_fingerprint: string | null;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly approved_by: string | null;
  readonly approved_at: string | null;
  readonly revoked_at: string | null;
}

/** POST /api/auth/device-challenge: what a device signs to prove itself. */
export interface DeviceChallengeView {
  readonly challenge_id: string;
  readonly nonce: string;
  readonly expires_at: string;
}
