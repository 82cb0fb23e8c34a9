/**
 * The wire model of sessions, their memory and history: zod schemas (validation +
 * OpenAPI) and mappers. A session has a public id (`session_id`: URLs, audit, tasks)
 * and a bearer secret (`token`, `sbs_…`) that appears only in the answer that creates it.
 */
import { z } from 'zod';
import type { CreatedSession, SessionInfo } from '../core/domain/identity.ts';
import type { MemoryEntry } from '../core/domain/session-memory.ts';
import type { Task } from '../core/domain/task.ts';
import { iso } from './primitives.ts';
import { taskToWire, taskView } from './task.ts';


export const sessionParams = z.object({ session_id: z.string().min(1).max(200) });
// Longer keys than the limit reach the service, which answers 422 with the limit.
export const memoryKeyParams = sessionParams.extend({ key: z.string().min(1).max(2000) });

export const sessionView = z.object({
  session_id: z.string().describe('The public id of the session (URLs, audit, tasks); not a credential'),
  user_id: z.string(),
  device_id: z.string().nullable(),
  created_at: z.string(),
  last_activity: z.string(),
  expires_at: z.string().describe('Moves forward with each request (idle timeout), up to an absolute limit'),
  revoked_at: z.string().nullable(),
});
export const createdSessionView = sessionView.extend({
  token: z.string().describe('The session secret (`sbs_…`): send it as `Authorization: Bearer`; shown this once'),
  permissions: z.array(z.string()),
});
export const sessionList = z.object({ sessions: z.array(sessionView) });

export function sessionToWire(s: SessionInfo): z.infer<typeof sessionView> {
  return {
    session_id: s.id,
    user_id: s.userId,
    device_id: s.deviceId,
    created_at: iso(s.createdAt),
    last_activity: iso(s.lastActivity),
    expires_at: iso(s.expiresAt),
    revoked_at: iso(s.revokedAt),
  };
}

export function createdToWire(s: CreatedSession): z.infer<typeof createdSessionView> {
  return { ...sessionToWire(s), token: s.token, permissions: [...s.permissions] };
}

export const listSessionsQuery = z
  .object({
    user_id: z.string().min(1).max(200).optional().describe("Another user's sessions (admin:users)"),
    all: z.enum(['true', 'false']).optional().describe("`true`: everyone's sessions (admin:users)"),
  })
  .strict();

// The body is parsed JSON, so any present value is a JSON value.
const jsonValue = z.unknown();
export const memoryPutBody = z
  .object({ value: jsonValue.refine((v) => v !== undefined, 'is required').describe('Any JSON value; its JSON text is at most 64 KiB') })
  .strict();
export const memoryEntryView = z.object({ key: z.string(), value: jsonValue, updated_at: z.string() });
export const memoryDeletedView = z.object({ key: z.string(), deleted: z.literal(true) });
export const memoryView = z.object({ session_id: z.string(), entries: z.array(memoryEntryView) });

export const memoryEntryToWire = (e: MemoryEntry): z.infer<typeof memoryEntryView> => ({ key: e.key, value: e.value, updated_at: iso(e.updatedAt) });

export const historyQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100).describe('The most recent tasks to return (oldest first)') })
  .strict();
/** A task in a session's history: the task's own wire fields, a subset of its full view. */
const HISTORY_FIELDS = { task_id: true, agent_type: true, prompt: true, state: true, result: true, error: true, created_at: true, finished_at: true } as const;
const historyEntryView = taskView.pick(HISTORY_FIELDS);
export const historyView = z.object({ session_id: z.string(), tasks: z.array(historyEntryView) });

export function historyEntryToWire(t: Task): z.infer<typeof historyEntryView> {
  const { task_id, agent_type, prompt, state, result, error, created_at, finished_at } = taskToWire(t);
  return { task_id, agent_type, prompt, state, result, error, created_at, finished_at };
}

export type SessionView = z.infer<typeof sessionView>;
export type CreatedSessionView = z.infer<typeof createdSessionView>;
