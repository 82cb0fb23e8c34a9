/** A session's key-value memory and task history, as the runtime exposes them. */
import type { Caller } from '../domain/caller.ts';
import type { Json } from '../domain/json.ts';
import type { MemoryEntry } from '../domain/session-memory.ts';
import type { Task } from '../domain/task.ts';

/** Session memory and history as callers use them; only a caller acting in that session may. */
export interface SessionMemoryService {
  listMemory(caller: Caller, sessionId: string): Promise<readonly MemoryEntry[]>;
  getMemory(caller: Caller, sessionId: string, key: string): Promise<MemoryEntry>;
  setMemory(caller: Caller, sessionId: string, key: string, value: Json): Promise<MemoryEntry>;
  deleteMemory(caller: Caller, sessionId: string, key: string): Promise<void>;
  /** The session's tasks, oldest first (the last `limit`). */
  history(caller: Caller, sessionId: string, limit: number): Promise<readonly Task[]>;
}
