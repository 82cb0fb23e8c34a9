/**
 * Session memory and history through the API. Only a caller acting in that very
 * session may read or write them: another session of the same user, an API token,
 * another user and an admin alike get "no such session" (its existence is not
 * revealed) and the attempt is audited as a denial. Reads are audited as
 * `resource.accessed`, writes as `resource.modified` and deletes as
 * `resource.deleted` (in the write's transaction); audit details name keys, never values.
 */
import { SwitchboardError } from '../core/domain/errors.ts';
import type { Clock } from '../core/ports/clock.ts';
import { MEMORY_LIMITS, checkMemoryKey, encodeMemoryValue, memoryFullError } from '../core/domain/session-memory.ts';
import type { SessionMemoryStore } from '../core/ports/session-memory-store.ts';
import type { SessionMemoryService } from '../core/services/session-memory-service.ts';
import type { AuditEventType, AuditInput } from '../core/domain/audit.ts';
import type { Caller } from '../core/domain/caller.ts';
import type { JsonObject } from '../core/domain/json.ts';
import type { Guard } from '../core/ports/guard.ts';

export interface SessionMemoryServiceDeps {
  readonly store: SessionMemoryStore;
  readonly clock: Clock;
  readonly guard: Pick<Guard, 'refuse' | 'record'>;
}

type Area = 'session_memory' | 'session_history';

export function createSessionMemoryService(deps: SessionMemoryServiceDeps): SessionMemoryService {
  /** Refuses (audited, answered as not found) unless the caller acts in `sessionId`. */
  async function inSession(caller: Caller, sessionId: string, area: Area, action: string): Promise<void> {
    if (caller.sessionId === sessionId) return;
    // No permission opens another session's memory: the session itself is the credential.
    await deps.guard.refuse(
      caller,
      { action, permission: null, resource: { type: area, id: sessionId }, reason: 'only a caller acting in the session may use its memory and history' },
      new SwitchboardError('SESSION_NOT_FOUND', undefined, { session_id: sessionId }),
    );
  }

  const record = (caller: Caller, sessionId: string, area: Area, eventType: AuditEventType, action: string, details: JsonObject): AuditInput => ({
    eventType,
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: area,
    resourceId: sessionId,
    action,
    status: 'success',
    details,
  });

  const keyNotFound = (key: string): SwitchboardError => new SwitchboardError('SESSION_MEMORY_KEY_NOT_FOUND', undefined, { key });

  return {
    async listMemory(caller, sessionId) {
      await inSession(caller, sessionId, 'session_memory', 'session_memory.read');
      const entries = await deps.store.listMemory(sessionId);
      await deps.guard.record(record(caller, sessionId, 'session_memory', 'resource.accessed', 'session_memory.read', { key_count: entries.length }));
      return entries;
    },

    async getMemory(caller, sessionId, key) {
      await inSession(caller, sessionId, 'session_memory', 'session_memory.read');
      checkMemoryKey(key);
      const entry = await deps.store.getMemory(sessionId, key);
      if (entry === undefined) throw keyNotFound(key);
      await deps.guard.record(record(caller, sessionId, 'session_memory', 'resource.accessed', 'session_memory.read', { key }));
      return entry;
    },

    async setMemory(caller, sessionId, key, value) {
      await inSession(caller, sessionId, 'session_memory', 'session_memory.set');
      checkMemoryKey(key);
      const valueText = encodeMemoryValue(value);
      const now = deps.clock.now();
      const audit = record(caller, sessionId, 'session_memory', 'resource.modified', 'session_memory.set', { key, by: 'api' });
      const outcome = await deps.store.setMemory({ sessionId, key, valueText }, MEMORY_LIMITS.maxKeys, { records: [audit], now });
      if (outcome === 'full') throw memoryFullError();
      return { key, value, updatedAt: now };
    },

    async deleteMemory(caller, sessionId, key) {
      await inSession(caller, sessionId, 'session_memory', 'session_memory.delete');
      checkMemoryKey(key);
      const audit = record(caller, sessionId, 'session_memory', 'resource.deleted', 'session_memory.delete', { key });
      const deleted = await deps.store.deleteMemory(sessionId, key, { records: [audit], now: deps.clock.now() });
      if (!deleted) throw keyNotFound(key);
    },

    async history(caller, sessionId, limit) {
      await inSession(caller, sessionId, 'session_history', 'session_history.read');
      const tasks = await deps.store.sessionTasks(sessionId, { limit });
      await deps.guard.record(record(caller, sessionId, 'session_history', 'resource.accessed', 'session_history.read', { task_count: tasks.length }));
      return tasks;
    },
  };
}
