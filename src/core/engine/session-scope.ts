/**
 * What a task running in a session gets of it: the session's memory (reads and
 * writes, with the same limits as the API; writes audited) and its conversation so
 * far (earlier completed tasks of the session). Tasks outside a session get neither.
 */
import type { MemoryScope } from '../ports/agent-adapter.ts';
import type { Clock } from '../ports/clock.ts';
import { MAX_HISTORY_TURNS, MEMORY_LIMITS, checkMemoryKey, encodeMemoryValue, memoryFullError, taskToTurn, type ConversationTurn } from '../domain/session-memory.ts';
import type { SessionMemoryStore } from '../ports/session-memory-store.ts';
import type { Task } from '../domain/task.ts';

/** The memory and history of a task's session. */
export interface SessionScope {
  readonly memory: MemoryScope | undefined;
  readonly history: readonly ConversationTurn[];
}

const NONE: SessionScope = Object.freeze({ memory: undefined, history: Object.freeze([]) });

/** Opens the scope of `task`'s session (reads its history now; memory is read and written on use). */
export async function openSessionScope(store: SessionMemoryStore | undefined, clock: Clock, task: Task): Promise<SessionScope> {
  const sessionId = task.sessionId;
  if (store === undefined || sessionId === null) return NONE;
  const earlier = await store.sessionTasks(sessionId, { limit: MAX_HISTORY_TURNS, before: task, completedOnly: true });
  const memory: MemoryScope = {
    async get(key) {
      checkMemoryKey(key);
      return (await store.getMemory(sessionId, key))?.value;
    },
    async set(key, value) {
      checkMemoryKey(key);
      const valueText = encodeMemoryValue(value);
      const audit = {
        eventType: 'resource.modified' as const,
        userId: task.ownerId,
        sessionId,
        resourceType: 'session_memory',
        resourceId: sessionId,
        action: 'session_memory.set',
        status: 'success' as const,
        // Keys only: a value may hold anything the conversation did.
        details: { key, task_id: task.id, by: 'agent' },
      };
      const outcome = await store.setMemory({ sessionId, key, valueText }, MEMORY_LIMITS.maxKeys, { records: [audit], now: clock.now() });
      if (outcome === 'full') throw memoryFullError();
    },
  };
  return { memory, history: earlier.map(taskToTurn) };
}
