/**
 * The wire model of tasks (snake_case, ISO times): the zod schemas of the task routes'
 * requests and responses (validation, serialization and the OpenAPI document), and the
 * domain → wire mapper. The CLI parses responses with the same schemas.
 */
import { z } from 'zod';
import { ALL_STATES } from '../core/domain/task-states.ts';
import type { Task } from '../core/domain/task.ts';
import { iso, jsonObject } from './primitives.ts';

export const taskIdParams = z.object({ task_id: z.uuid({ error: 'task_id must be a UUID' }) });

export const submitBody = z
  .object({
    agent_type: z.string().min(1).max(100).describe('The agent to run, e.g. "echo" (see GET /api/runtime/agents)'),
    prompt: z.string().min(1).max(1_000_000),
    context: jsonObject.optional().describe('Free-form context passed to the agent'),
    session_id: z.string().min(1).max(200).optional(),
    project_id: z.union([z.string().min(1).max(200), z.number().int()]).optional(),
    task_id: z.union([z.string().min(1).max(200), z.number().int()]).optional().describe('A board task this run belongs to'),
  })
  .strict();

export const submitHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional(),
});

export const answerBody = z.object({ answer: z.string().min(1).max(100_000) }).strict();

export const listQuery = z.object({
  state: z
    .string()
    .optional()
    .describe('Comma-separated states, e.g. "pending,running"')
    .refine((v) => v === undefined || v.split(',').every((s) => (ALL_STATES as readonly string[]).includes(s)), {
      message: `state must be a comma-separated list of ${ALL_STATES.join(', ')}`,
    }),
  agent_type: z.string().min(1).max(100).optional(),
  project_id: z.string().min(1).max(200).optional(),
  session_id: z.string().min(1).max(200).optional(),
  owner_id: z.string().min(1).max(200).optional().describe('Only honoured for admins; others always see their own'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(500).optional(),
});


export const taskView = z.object({
  task_id: z.string(),
  execution_uuid: z.string(),
  agent_type: z.string(),
  state: z.enum(ALL_STATES as [string, ...string[]]),
  success: z.boolean().describe('True once the task completed'),
  prompt: z.string(),
  context: jsonObject,
  result: z.unknown(),
  error: z.string().nullable(),
  execution_time: z.number().nullable().describe('Seconds from start to finish'),
  progress: z.number().nullable(),
  question: z.string().nullable().describe('What the agent asked, while waiting'),
  waiting: z
    .union([
      z.object({ kind: z.literal('question') }),
      z.object({ kind: z.literal('approval'), approval_id: z.string(), skill: z.string() }),
    ])
    .nullable()
    .describe('While waiting: for an answer (`question`), or for a decision on a tool call (`approval`, with its id and skill)'),
  attempt: z.number(),
  max_attempts: z.number(),
  metadata: jsonObject,
  session_id: z.string().nullable(),
  project_id: z.string().nullable(),
  board_task_id: z.string().nullable(),
  owner_id: z.string(),
  last_seq: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type TaskView = z.infer<typeof taskView>;

export const taskList = z.object({ tasks: z.array(taskView), next_cursor: z.string().nullable() });

export function taskToWire(t: Task): TaskView {
  const time = t.startedAt !== null && t.finishedAt !== null ? (t.finishedAt - t.startedAt) / 1000 : null;
  return {
    task_id: t.id,
    execution_uuid: t.executionUuid,
    agent_type: t.agentType,
    state: t.state,
    success: t.state === 'completed',
    prompt: t.prompt,
    context: t.context,
    result: t.result,
    error: t.error,
    execution_time: time,
    progress: t.progress,
    question: t.waiting?.question ?? null,
    waiting:
      t.waiting === null
        ? null
        : t.waiting.kind === 'question'
          ? { kind: 'question' }
          : { kind: 'approval', approval_id: t.waiting.approvalId, skill: t.waiting.skillId },
    attempt: t.attempt,
    max_attempts: t.maxAttempts,
    metadata: t.metadata,
    session_id: t.sessionId,
    project_id: t.projectId,
    board_task_id: t.boardTaskId,
    owner_id: t.ownerId,
    last_seq: t.lastSeq,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    started_at: iso(t.startedAt),
    finished_at: iso(t.finishedAt),
  };
}

const taskJsonMemo = new WeakMap<Task, string>();

/**
 * The task's wire JSON, computed once per task version: task objects are
 * immutable and the engine hands out the same object until the task changes,
 * so repeated polls of a state cost one map lookup.
 */
export function taskJson(t: Task): string {
  let json = taskJsonMemo.get(t);
  if (json === undefined) {
    json = JSON.stringify(taskToWire(t));
    taskJsonMemo.set(t, json);
  }
  return json;
}
export type TaskPage = z.infer<typeof taskList>;
