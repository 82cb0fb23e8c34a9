/** Calls of /api/runtime/sessions over the CLI's ApiClient, parsed with the wire schemas. */
import type { z } from 'zod';
import type { ApiClient } from './client.ts';
import { createdSessionView, historyView, memoryDeletedView, memoryEntryView, memoryView, sessionList, sessionView } from '../wire/session.ts';

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
    create: (body: { user_id?: string; device_id?: string }) => client.call('POST', '/api/runtime/sessions', createdSessionView, body),
    list: async (query: { all?: boolean; user_id?: string }) => {
      const qs = new URLSearchParams();
      if (query.all === true) qs.set('all', 'true');
      if (query.user_id !== undefined) qs.set('user_id', query.user_id);
      const q = qs.toString();
      return (await client.call('GET', `/api/runtime/sessions${q === '' ? '' : `?${q}`}`, sessionList)).sessions;
    },
    get: (id: string) => client.call('GET', session(id), sessionView),
    revoke: (id: string) => client.call('DELETE', session(id), sessionView),
    memory: (id: string) => client.call('GET', session(id, '/memory'), memoryView),
    getMemory: (id: string, key: string) => client.call('GET', memoryKey(id, key), memoryEntryView),
    setMemory: (id: string, key: string, value: unknown) => client.call('PUT', memoryKey(id, key), memoryEntryView, { value }),
    deleteMemory: (id: string, key: string) => client.call('DELETE', memoryKey(id, key), memoryDeletedView),
    history: (id: string, limit: number | undefined) => client.call('GET', session(id, `/history${limit === undefined ? '' : `?limit=${limit}`}`), historyView),
  };
}
