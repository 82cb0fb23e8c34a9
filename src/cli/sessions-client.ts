/**
 * Typed calls of /api/runtime/sessions over the CLI's ApiClient. Type-only imports of
 * the server's zod schemas keep client and server in step.
 */
import type { z } from 'zod';
import type { ApiClient } from './client.ts';
import type { createdSessionView, historyView, memoryDeletedView, memoryEntryView, memoryView, sessionView } from '../wire/session.ts';

/** A session (public id, no secret), a just-created one (its `token`, once), memory and history as the server sends them. */
export type SessionView = z.infer<typeof sessionView>;
export type CreatedSessionView = z.infer<typeof createdSessionView>;
export type MemoryView = z.infer<typeof memoryView>;
export type MemoryEntryView = z.infer<typeof memoryEntryView>;
export type HistoryView = z.infer<typeof historyView>;

const session = (id: string, tail = ''): string => `/api/runtime/sessions/${encodeURIComponent(id)}${tail}`;
const memoryKey = (id: string, key: string): string => session(id, `/memory/${encodeURIComponent(key)}`);

/** The session calls the `sessions` commands make. */
export function sessionsClient(client: ApiClient) {
  return {
    create: (body: { user_id?: string; device_id?: string }) => client.call<CreatedSessionView>('POST', '/api/runtime/sessions', body),
    list: async (query: { all?: boolean; user_id?: string }) => {
      const qs = new URLSearchParams();
      if (query.all === true) qs.set('all', 'true');
      if (query.user_id !== undefined) qs.set('user_id', query.user_id);
      const q = qs.toString();
      return (await client.call<{ sessions: SessionView[] }>('GET', `/api/runtime/sessions${q === '' ? '' : `?${q}`}`)).sessions;
    },
    get: (id: string) => client.call<SessionView>('GET', session(id)),
    revoke: (id: string) => client.call<SessionView>('DELETE', session(id)),
    memory: (id: string) => client.call<MemoryView>('GET', session(id, '/memory')),
    getMemory: (id: string, key: string) => client.call<MemoryEntryView>('GET', memoryKey(id, key)),
    setMemory: (id: string, key: string, value: unknown) => client.call<MemoryEntryView>('PUT', memoryKey(id, key), { value }),
    deleteMemory: (id: string, key: string) => client.call<z.infer<typeof memoryDeletedView>>('DELETE', memoryKey(id, key)),
    history: (id: string, limit: number | undefined) => client.call<HistoryView>('GET', session(id, `/history${limit === undefined ? '' : `?limit=${limit}`}`)),
  };
}
