/** /api/runtime/tasks: submit, state, list, cancel, answer, events (SSE or JSON). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchboardError } from '../../core/domain/errors.ts';
import { parseTaskState } from '../../core/domain/task-states.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import type { TaskState } from '../../core/domain/task-states.ts';
import { answerBody, listQuery, submitBody, submitHeaders, taskIdParams, taskList, taskJson, taskToWire, taskView, type TaskView } from '../../wire/task.ts';
import { eventJson, eventToWire, eventView, eventsQuery, previewJson } from '../../wire/event.ts';
import { errorView } from '../../wire/error.ts';
import { isPreview } from '../../core/domain/event.ts';
import { SSE_HEADERS, SSE_HEARTBEAT, parseLastEventId, sseFrame, ssePreviewFrame } from './sse.ts';
import { rawStreams } from './raw-stream.ts';

export interface TaskRouteOptions {
  readonly sseHeartbeatMs: number;
}

const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView, 409: errorView };

export function registerTaskRoutes(app: FastifyInstance, runtime: Runtime, options: TaskRouteOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['tasks'];
  const streams = rawStreams(app);

  r.post(
    '/api/runtime/tasks/submit',
    {
      schema: {
        tags,
        summary: 'Submit a task; acknowledged (202) only once it is stored',
        description:
          'Send `Idempotency-Key` to make retries safe: a repeat with the same key returns the same task ' +
          '(header `Idempotent-Replayed: true`); the same key with a different body is a 409.',
        headers: submitHeaders,
        body: submitBody,
        response: { 202: taskView, ...errors, 413: errorView, 422: errorView },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const key = req.headers['idempotency-key'];
      const { task, created } = await runtime.submit(req.caller, {
        agentType: b.agent_type,
        prompt: b.prompt,
        ...(b.context !== undefined ? { context: b.context as never } : {}),
        ...(b.session_id !== undefined ? { sessionId: b.session_id } : {}),
        ...(b.project_id !== undefined ? { projectId: String(b.project_id) } : {}),
        ...(b.task_id !== undefined ? { boardTaskId: String(b.task_id) } : {}),
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
      });
      if (!created) void reply.header('idempotent-replayed', 'true');
      return reply.code(202).send(taskToWire(task));
    },
  );

  r.get(
    '/api/runtime/tasks/:task_id/state',
    {
      schema: { tags, summary: 'The state and result of a task', params: taskIdParams, response: { 200: taskView, ...errors } },
    },
    async (req, reply) => {
      const json = taskJson(await runtime.getTask(req.caller, req.params.task_id));
      // Already-serialized JSON (memoized per task version) is sent as is; it is the taskView schema's text.
      return reply.type('application/json; charset=utf-8').send(json as unknown as TaskView);
    },
  );

  r.get(
    '/api/runtime/tasks',
    {
      schema: {
        tags,
        summary: 'List tasks, newest first (cursor pagination)',
        description: 'Callers see their own tasks; admins see all and may filter by owner_id.',
        querystring: listQuery,
        response: { 200: taskList, ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      const states = q.state?.split(',').map((s) => parseTaskState(s)).filter((s): s is TaskState => s !== undefined);
      const page = await runtime.listTasks(req.caller, {
        limit: q.limit,
        ...(states !== undefined ? { states } : {}),
        ...(q.agent_type !== undefined ? { agentType: q.agent_type } : {}),
        ...(q.project_id !== undefined ? { projectId: q.project_id } : {}),
        ...(q.session_id !== undefined ? { sessionId: q.session_id } : {}),
        ...(q.owner_id !== undefined ? { ownerId: q.owner_id } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
      return { tasks: page.items.map(taskToWire), next_cursor: page.nextCursor ?? null };
    },
  );

  r.get(
    '/api/runtime/inbox',
    {
      schema: {
        tags,
        summary: 'The waiting tasks that wait for you, newest first: questions of your own tasks, and approvals you may decide',
        description: 'An approval is yours to decide when you may see the task and may run its skill yourself (skill:execute on it). Needs task:view.',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(100) }),
        response: { 200: z.object({ tasks: z.array(taskView) }), ...errors },
      },
    },
    async (req) => ({ tasks: (await runtime.inbox(req.caller, req.query.limit)).map(taskToWire) }),
  );

  r.post(
    '/api/runtime/tasks/:task_id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a task and stop its work (409 when it already finished)',
        params: taskIdParams,
        response: { 200: taskView, ...errors },
      },
    },
    async (req) => taskToWire(await runtime.cancel(req.caller, req.params.task_id)),
  );

  r.post(
    '/api/runtime/tasks/:task_id/answer',
    {
      schema: {
        tags,
        summary: 'Answer the question of a waiting task; it resumes',
        params: taskIdParams,
        body: answerBody,
        response: { 200: taskView, ...errors },
      },
    },
    async (req) => taskToWire(await runtime.answer(req.caller, req.params.task_id, req.body.answer)),
  );

  r.get(
    '/api/runtime/tasks/:task_id/events',
    {
      schema: {
        tags,
        summary: 'Task events: SSE (replay, then live, until the task ends) or a JSON array',
        description:
          'As `text/event-stream` (default): each event has `id:` = its sequence number; reconnect with ' +
          '`Last-Event-ID` (or `after_seq`) to resume without gaps; `: keepalive` comments every 15 s; the ' +
          'stream closes after the terminal event. Between stored events, `event: preview` frames (no `id:`) carry ' +
          'streamed output as it is produced: `{task_id, attempt, chunk, offset, text}`; the stored `output` event of ' +
          'that chunk (`metadata.chunk`) repeats the whole text, so show only its part past what was previewed. ' +
          'With `Accept: application/json`: the stored events as an array.',
        params: taskIdParams,
        querystring: eventsQuery,
        response: { 200: z.array(eventView), ...errors },
      },
    },
    async (req, reply) => {
      const fromHeader = parseLastEventId(req.headers['last-event-id']);
      if (fromHeader !== undefined && Number.isNaN(fromHeader)) {
        throw new SwitchboardError('VALIDATION_FAILED', 'Last-Event-ID must be a sequence number');
      }
      const afterSeq = fromHeader ?? req.query.after_seq ?? 0;
      const taskId = req.params.task_id;
      const accept = req.headers.accept ?? '';
      if (accept.includes('application/json') && !accept.includes('text/event-stream')) {
        const events = await runtime.listEvents(req.caller, taskId, afterSeq, req.query.limit);
        return events.map(eventToWire);
      }
      // Authorized (and 404) before any byte is written; the events are read as they are sent.
      const controller = new AbortController();
      const events = await runtime.stream(req.caller, taskId, { afterSeq, signal: controller.signal });
      return streams.send(req, reply, { headers: SSE_HEADERS, cutShort: 'end', name: 'event stream', controller }, async (sink) => {
        await sink.write('retry: 2000\n\n');
        const heartbeat = setInterval(() => void sink.write(SSE_HEARTBEAT), options.sseHeartbeatMs);
        try {
          for await (const e of events) {
            await sink.write(isPreview(e) ? ssePreviewFrame(previewJson(e)) : sseFrame(e.seq, eventJson(e)));
            if (sink.signal.aborted) break;
          }
        } finally {
          clearInterval(heartbeat);
        }
      });
    },
  );
}
