/** The task tools: submit, state, events, cancel, answer, approve and list, each one Runtime call as the caller. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Caller } from '../../core/domain/caller.ts';
import { ALL_STATES, type TaskState } from '../../core/domain/task-states.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { eventToWire, eventView } from '../../wire/event.ts';
import { jsonObject } from '../../wire/primitives.ts';
import { taskList, taskToWire, taskView } from '../../wire/task.ts';
import { guarded } from './tool-result.ts';

// The definitions are built once: a server is made per request, and building zod schemas is not free.
const taskId = z.uuid({ error: 'task_id must be a UUID' }).describe('The task id (from submit_task or list_tasks)');
const byId = z.object({ task_id: taskId });
const READ = { readOnlyHint: true, openWorldHint: false } as const;

const SUBMIT = {
  title: 'Submit a task',
  description:
    'Submits a task to an agent (see list_agents) and returns it in state "pending". Follow it with wait_task. ' +
    'Send the same idempotency_key to make a retry return the same task instead of a second one.',
  inputSchema: z.object({
    agent_type: z.string().min(1).max(100).describe('The agent to run, e.g. "echo"'),
    prompt: z.string().min(1).max(1_000_000),
    context: jsonObject.optional().describe('Free-form context passed to the agent'),
    session_id: z.string().min(1).max(200).optional().describe('A session the task runs in (its memory and conversation)'),
    project_id: z.string().min(1).max(200).optional().describe('A project the task belongs to (id or key)'),
    board_task_id: z.string().min(1).max(200).optional().describe('A board task this run belongs to'),
    idempotency_key: z.string().min(1).max(200).optional(),
  }),
  outputSchema: taskView,
  annotations: { openWorldHint: true },
};

const GET = { title: 'Get a task', description: 'The state, result, error or pending question of a task.', inputSchema: byId, outputSchema: taskView, annotations: READ };

const EVENTS = {
  title: 'Get the events of a task',
  description: 'The stored history of a task (state changes, progress, logs, output), oldest first, after a sequence number.',
  inputSchema: z.object({
    task_id: taskId,
    after_seq: z.number().int().min(0).default(0).describe('Only events with a sequence number above this one'),
    limit: z.number().int().min(1).max(1000).default(200),
  }),
  outputSchema: z.object({ events: z.array(eventView) }),
  annotations: READ,
};

const CANCEL = {
  title: 'Cancel a task',
  description: 'Cancels a task and stops its work (an error when it already finished).',
  inputSchema: byId,
  outputSchema: taskView,
  annotations: { destructiveHint: true, openWorldHint: false },
};

const ANSWER = {
  title: 'Answer a waiting task',
  description: 'Answers the question of a task waiting for one (waiting.kind "question"); the task resumes.',
  inputSchema: z.object({ task_id: taskId, answer: z.string().min(1).max(100_000) }),
  outputSchema: taskView,
  annotations: { openWorldHint: false },
};

const APPROVE = {
  title: 'Approve or deny a tool call',
  description:
    'Decides the skill call a waiting task asks approval for (waiting.kind "approval"); the task resumes. ' +
    'Allowed to callers who can see the task and may run the skill themselves.',
  inputSchema: z.object({
    task_id: taskId,
    decision: z.enum(['approve', 'deny']),
    reason: z.string().min(1).max(1000).optional().describe('Shown to the model on a denial'),
    approval_id: z.uuid().optional().describe('The pending approval (waiting.approval_id); when given it must match'),
  }),
  outputSchema: taskView,
  annotations: { openWorldHint: false },
};

const LIST = {
  title: 'List tasks',
  description: 'Tasks newest first (your own; admins see all), with filters; pass next_cursor back as cursor for the next page.',
  inputSchema: z.object({
    states: z.array(z.enum(ALL_STATES as [TaskState, ...TaskState[]])).optional(),
    agent_type: z.string().min(1).max(100).optional(),
    project_id: z.string().min(1).max(200).optional(),
    session_id: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(500).default(50),
    cursor: z.string().min(1).max(500).optional(),
  }),
  outputSchema: taskList,
  annotations: READ,
};

/** Registers the task tools on `server`; every handler acts as `caller`. */
export function registerTaskTools(server: McpServer, runtime: Runtime, caller: Caller, logger: Logger): void {
  server.registerTool('submit_task', SUBMIT, (a) =>
    guarded('submit_task', logger, async () => {
      const { task } = await runtime.submit(caller, {
        agentType: a.agent_type,
        prompt: a.prompt,
        ...(a.context !== undefined ? { context: a.context as never } : {}),
        ...(a.session_id !== undefined ? { sessionId: a.session_id } : {}),
        ...(a.project_id !== undefined ? { projectId: a.project_id } : {}),
        ...(a.board_task_id !== undefined ? { boardTaskId: a.board_task_id } : {}),
        ...(a.idempotency_key !== undefined ? { idempotencyKey: a.idempotency_key } : {}),
      });
      return taskToWire(task);
    }),
  );

  server.registerTool('get_task', GET, (a) => guarded('get_task', logger, async () => taskToWire(await runtime.getTask(caller, a.task_id))));

  server.registerTool('get_task_events', EVENTS, (a) =>
    guarded('get_task_events', logger, async () => ({
      events: (await runtime.listEvents(caller, a.task_id, a.after_seq, a.limit)).map(eventToWire),
    })),
  );

  server.registerTool('cancel_task', CANCEL, (a) => guarded('cancel_task', logger, async () => taskToWire(await runtime.cancel(caller, a.task_id))));

  server.registerTool('answer_task', ANSWER, (a) => guarded('answer_task', logger, async () => taskToWire(await runtime.answer(caller, a.task_id, a.answer))));

  server.registerTool('approve_task', APPROVE, (a) =>
    guarded('approve_task', logger, async () =>
      taskToWire(
        await runtime.approve(caller, a.task_id, {
          approved: a.decision === 'approve',
          ...(a.reason !== undefined ? { reason: a.reason } : {}),
          ...(a.approval_id !== undefined ? { approvalId: a.approval_id } : {}),
        }),
      ),
    ),
  );

  server.registerTool('list_tasks', LIST, (a) =>
    guarded('list_tasks', logger, async () => {
      const page = await runtime.listTasks(caller, {
        limit: a.limit,
        ...(a.states !== undefined ? { states: a.states } : {}),
        ...(a.agent_type !== undefined ? { agentType: a.agent_type } : {}),
        ...(a.project_id !== undefined ? { projectId: a.project_id } : {}),
        ...(a.session_id !== undefined ? { sessionId: a.session_id } : {}),
        ...(a.cursor !== undefined ? { cursor: a.cursor } : {}),
      });
      return { tasks: page.items.map(taskToWire), next_cursor: page.nextCursor ?? null };
    }),
  );
}
