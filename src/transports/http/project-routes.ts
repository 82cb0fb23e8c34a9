/**
 * /api/projects (REFERENCE.md, Phase 1) and the project's change stream. Every decision
 * is the project and board services'; this file only maps HTTP to their calls.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { BoardService, ProjectService } from '../../core/services/board.ts';
import { activityList, activityQuery, activityToWire } from '../../wire/board.ts';
import { errorView } from '../../wire/error.ts';
import { createProjectBody, deleteProjectQuery, projectFieldsFromWire, projectInputFromWire, projectParams, projectToWire, projectView, updateProjectBody } from '../../wire/project.ts';
import { rawStreams } from './raw-stream.ts';
import { SSE_HEADERS, SSE_HEARTBEAT, parseLastEventId, sseFrame } from './sse.ts';

const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };
const tags = ['projects'];

export function registerProjectRoutes(app: FastifyInstance, projects: ProjectService, board: BoardService, options: { readonly sseHeartbeatMs: number }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const streams = rawStreams(app);

  r.get(
    '/api/projects',
    { schema: { tags, summary: 'The projects the caller may read (project:read)', response: { 200: z.array(projectView), ...errors } } },
    async (req) => (await projects.list(req.caller)).map(projectToWire),
  );

  r.post(
    '/api/projects',
    {
      schema: {
        tags,
        summary: 'Create a project (project:write); a duplicate key is 400 PROJECT_KEY_TAKEN',
        body: createProjectBody,
        response: { 201: projectView, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(projectToWire(await projects.create(req.caller, projectInputFromWire(req.body)))),
  );

  r.get(
    '/api/projects/:id',
    { schema: { tags, summary: 'One project, by id or key (project:read)', params: projectParams, response: { 200: projectView, ...errors } } },
    async (req) => projectToWire(await projects.get(req.caller, req.params.id)),
  );

  r.patch(
    '/api/projects/:id',
    {
      schema: { tags, summary: 'Change a project (project:write); null clears a field', params: projectParams, body: updateProjectBody, response: { 200: projectView, ...errors } },
    },
    async (req) => projectToWire(await projects.update(req.caller, req.params.id, projectFieldsFromWire(req.body))),
  );

  r.delete(
    '/api/projects/:id',
    {
      schema: {
        tags,
        summary: 'Delete a project (project:delete); with tasks only with ?force=true, which cancels their running executions',
        params: projectParams,
        querystring: deleteProjectQuery,
        response: { 200: projectView, 409: errorView, ...errors },
      },
    },
    async (req) => projectToWire(await projects.delete(req.caller, req.params.id, { force: req.query.force === 'true' })),
  );

  r.get(
    '/api/projects/:id/events',
    {
      schema: {
        tags,
        summary: "The project's board changes: SSE (stored, then live) or a JSON page",
        description:
          'Task created, moved, edited, deleted, executed, an execution changing state, a pull request opened. As ' +
          '`text/event-stream` (default): each event has `id:` = the activity id; reconnect with `Last-Event-ID` (or ' +
          '`after_id`) to resume without gaps or repeats; `: keepalive` comments keep the connection open. With ' +
          '`Accept: application/json`: `{activity: […]}`, oldest first. Needs project:read on the project.',
        params: projectParams,
        querystring: activityQuery,
        response: { 200: activityList, ...errors },
      },
    },
    async (req, reply) => {
      const fromHeader = parseLastEventId(req.headers['last-event-id']);
      if (fromHeader !== undefined && Number.isNaN(fromHeader)) throw new SwitchboardError('VALIDATION_FAILED', 'Last-Event-ID must be an activity id');
      const afterId = fromHeader ?? req.query.after_id;
      const accept = req.headers.accept ?? '';
      if (accept.includes('application/json') && !accept.includes('text/event-stream')) {
        const { items } = await board.projectActivity(req.caller, req.params.id, { ...(afterId !== undefined ? { afterId } : {}), limit: req.query.limit });
        return { activity: items.map(activityToWire) };
      }
      const controller = new AbortController();
      // Authorized (and 404) before any byte is written.
      const changes = await board.streamProject(req.caller, req.params.id, { ...(afterId !== undefined ? { afterId } : {}), signal: controller.signal });
      return streams.send(req, reply, { headers: SSE_HEADERS, cutShort: 'end', name: 'board stream', controller }, async (sink) => {
        await sink.write('retry: 2000\n\n');
        const heartbeat = setInterval(() => void sink.write(SSE_HEARTBEAT), options.sseHeartbeatMs);
        try {
          for await (const a of changes) {
            await sink.write(sseFrame(a.id, JSON.stringify(activityToWire(a))));
            if (sink.signal.aborted) break;
          }
        } finally {
          clearInterval(heartbeat);
        }
      });
    },
  );
}
