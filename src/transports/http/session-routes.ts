/**
 * /api/runtime/sessions: create, list, read and revoke sessions, and a session's
 * memory and history. Decisions are the SessionService's and the
 * SessionMemoryService's; this file only maps HTTP to their calls.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionService } from '../../core/services/session-service.ts';
import type { SessionMemoryService } from '../../core/services/session-memory-service.ts';
import type { Json } from '../../core/domain/json.ts';
import { errorView } from '../../wire/error.ts';
import { deviceProofBody, deviceRequest } from './device-routes.ts';
import {
  createdSessionView,
  createdToWire,
  historyEntryToWire,
  historyQuery,
  historyView,
  listSessionsQuery,
  memoryEntryToWire,
  memoryDeletedView,
  memoryEntryView,
  memoryKeyParams,
  memoryPutBody,
  memoryView,
  sessionList,
  sessionParams,
  sessionToWire,
  sessionView,
} from '../../wire/session.ts';

const tags = ['sessions'];
const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };
const PATH = '/api/runtime/sessions';
const ONLY_IN_SESSION =
  'Only a caller authenticated with this very session (its `token`) may; anyone else — another session of the same user, an API token, another user — gets 404.';

const createBody = z
  .object({
    user_id: z.string().min(1).max(200).optional().describe('Whose session (default: yours); another user needs admin:users'),
    device_id: z.string().min(1).max(200).optional(),
    device_proof: deviceProofBody.optional(),
  })
  .strict();

export function registerSessionRoutes(app: FastifyInstance, sessions: SessionService, memory: SessionMemoryService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    PATH,
    {
      schema: {
        tags,
        summary: 'Create a session from the credential you hold; returns its public id and its bearer token (once)',
        body: createBody,
        response: { 201: createdSessionView, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const session = await sessions.create(req.caller, { ...(b.user_id !== undefined ? { userId: b.user_id } : {}), ...deviceRequest(b) });
      return reply.code(201).header('cache-control', 'no-store').send(createdToWire(session));
    },
  );

  r.get(
    PATH,
    {
      schema: {
        tags,
        summary: "Live sessions, newest first: yours, another user's (`user_id`) or everyone's (`all=true`) with admin:users",
        querystring: listSessionsQuery,
        response: { 200: sessionList, ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      const list = await sessions.list(req.caller, { ...(q.user_id !== undefined ? { userId: q.user_id } : {}), all: q.all === 'true' });
      return { sessions: list.map(sessionToWire) };
    },
  );

  r.get(
    `${PATH}/:session_id`,
    {
      schema: { tags, summary: "One of your sessions (anyone's with admin:users), whatever its state", params: sessionParams, response: { 200: sessionView, ...errors } },
    },
    async (req) => sessionToWire(await sessions.get(req.caller, req.params.session_id)),
  );

  r.delete(
    `${PATH}/:session_id`,
    {
      schema: {
        tags,
        summary: "Revoke (log out) one of your sessions (anyone's with admin:users); it stops working at once",
        params: sessionParams,
        response: { 200: sessionView, ...errors },
      },
    },
    async (req) => sessionToWire(await sessions.logout(req.caller, req.params.session_id)),
  );

  r.get(
    `${PATH}/:session_id/memory`,
    { schema: { tags, summary: "Every key of the session's memory", description: ONLY_IN_SESSION, params: sessionParams, response: { 200: memoryView, ...errors } } },
    async (req) => {
      const entries = await memory.listMemory(req.caller, req.params.session_id);
      return { session_id: req.params.session_id, entries: entries.map(memoryEntryToWire) };
    },
  );

  r.get(
    `${PATH}/:session_id/memory/:key`,
    {
      schema: { tags, summary: "One key of the session's memory", description: ONLY_IN_SESSION, params: memoryKeyParams, response: { 200: memoryEntryView, ...errors, 422: errorView } },
    },
    async (req) => memoryEntryToWire(await memory.getMemory(req.caller, req.params.session_id, req.params.key)),
  );

  r.put(
    `${PATH}/:session_id/memory/:key`,
    {
      schema: {
        tags,
        summary: "Set one key of the session's memory to a JSON value",
        description: `${ONLY_IN_SESSION} Keys: 1–200 characters; values: at most 64 KiB of JSON (413); at most 1,000 keys per session (422).`,
        params: memoryKeyParams,
        body: memoryPutBody,
        response: { 200: memoryEntryView, ...errors, 413: errorView, 422: errorView },
      },
    },
    async (req) => memoryEntryToWire(await memory.setMemory(req.caller, req.params.session_id, req.params.key, req.body.value as Json)),
  );

  r.delete(
    `${PATH}/:session_id/memory/:key`,
    {
      schema: { tags, summary: "Delete one key of the session's memory", description: ONLY_IN_SESSION, params: memoryKeyParams, response: { 200: memoryDeletedView, ...errors, 422: errorView } },
    },
    async (req) => {
      await memory.deleteMemory(req.caller, req.params.session_id, req.params.key);
      return { key: req.params.key, deleted: true as const };
    },
  );

  r.get(
    `${PATH}/:session_id/history`,
    {
      schema: {
        tags,
        summary: "The session's tasks, oldest first (the most recent `limit`): prompt, state, result, error, times",
        description: ONLY_IN_SESSION,
        params: sessionParams,
        querystring: historyQuery,
        response: { 200: historyView, ...errors },
      },
    },
    async (req) => {
      const tasks = await memory.history(req.caller, req.params.session_id, req.query.limit);
      return { session_id: req.params.session_id, tasks: tasks.map(historyEntryToWire) };
    },
  );
}
