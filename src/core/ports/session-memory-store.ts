/** The SessionMemoryStore port: sessions' memory and task history. */
import type { AuditArg } from '../domain/audit.ts';
import type { MemoryEntry } from '../domain/session-memory.ts';
import type { Task } from '../domain/task.ts';

/** Where memory lives, and the session's tasks (the history). Store implements it. */
export interface SessionMemoryStore {
  /** Every entry of the session, by key. */
  listMemory(sessionId: string): Promise<readonly MemoryEntry[]>;
  getMemory(sessionId: string, key: string): Promise<MemoryEntry | undefined>;
  /**
   * Inserts or replaces one entry (`valueText` is its JSON) with its audit records;
   * `'full'` (nothing written) when the key is new and the session already holds `maxKeys`.
   */
  setMemory(
    entry: { readonly sessionId: string; readonly key: string; readonly valueText: string },
    maxKeys: number,
    audit: AuditArg,
  ): Promise<'ok' | 'full'>;
  /** Deletes one entry with its audit records; false (nothing written) when there is none. */
  deleteMemory(sessionId: string, key: string, audit: AuditArg): Promise<boolean>;
  /**
   * The session's tasks, oldest first: the last `limit` of them, or only those
   * created before `before` (a task), or only completed ones.
   */
  sessionTasks(
    sessionId: string,
    options: { readonly limit: number; readonly before?: Task; readonly completedOnly?: boolean },
  ): Promise<readonly Task[]>;
}
