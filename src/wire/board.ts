/** The wire model of /api/tasks (board tasks), executions and board activity (REFERENCE.md, Phase 1). */
import { z } from 'zod';
import { BoardStatuses, Priorities, type BoardActivity, type BoardDiff, type BoardTask, type BoardTaskPatch, type ExecutionView, type PullRequest } from '../core/domain/board.ts';
import { ALL_STATES } from '../core/domain/task-states.ts';
import type { Json } from '../core/domain/json.ts';
import { iso } from './primitives.ts';

const ref = z.union([z.number().int().positive(), z.string().min(1).max(60)]);

export const createBoardTaskBody = z
  .object({
    project_id: ref.describe('The project id or key'),
    title: z.string().min(1).max(500),
    description: z.string().max(20_000).nullable().optional(),
    status: z.enum(BoardStatuses).optional(),
    priority: z.enum(Priorities).optional(),
    assigned_agent_type: z.string().min(1).max(200).nullable().optional(),
  })
  .strict();

export const updateBoardTaskBody = z
  .object({
    title: z.string().min(1).max(500).optional(),
    description: z.string().max(20_000).nullable().optional(),
    status: z.enum(BoardStatuses).optional().describe('Moving to another column appends the card there unless `position` is given'),
    priority: z.enum(Priorities).optional(),
    position: z.number().finite().optional().describe('Order within the column (ascending); to put a card between two others, send a value between theirs'),
    assigned_agent_type: z.string().min(1).max(200).nullable().optional(),
  })
  .strict();

export const boardTaskParams = z.object({ id: z.string().min(1).max(60).describe('The board task id or key, e.g. DEMO-7') });

export const boardTaskQuery = z
  .object({
    project_id: z.string().min(1).max(60).optional().describe('The project id or key'),
    status: z.enum(BoardStatuses).optional(),
    assigned_agent_type: z.string().min(1).max(200).optional(),
    q: z.string().min(1).max(200).optional().describe('Words in the title, the description or the key'),
    limit: z.coerce.number().int().min(1).max(500).default(200),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();

export const activityQuery = z
  .object({
    after_id: z.coerce.number().int().min(0).optional().describe('Only entries after this id (resume)'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const executeBody = z
  .object({
    task_id: ref.describe('The board task id or key'),
    agent_type: z.string().min(1).max(200).optional().describe("Default: the task's assigned agent, else the project's default"),
    prompt: z.string().min(1).max(100_000).optional().describe("Default: the task's title and description"),
    context: z.record(z.string(), z.json()).optional().describe('More context for the agent (e.g. echo: delay_ms, ask); `project` and `task` are set by the board'),
  })
  .strict();

export const boardTaskView = z.object({
  id: z.number().int(),
  project_id: z.number().int(),
  key: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  status: z.enum(BoardStatuses),
  priority: z.enum(Priorities),
  position: z.number(),
  assigned_agent_type: z.string().nullable(),
  agent_execution_status: z.enum(ALL_STATES as [string, ...string[]]).nullable(),
  github_pr_url: z.string().nullable(),
  github_pr_number: z.number().int().nullable(),
  github_branch_name: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const boardTaskList = z.object({ tasks: z.array(boardTaskView), next_cursor: z.string().nullable() });

export function boardTaskToWire(t: BoardTask): z.infer<typeof boardTaskView> {
  return {
    id: t.id,
    project_id: t.projectId,
    key: t.key,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    position: t.position,
    assigned_agent_type: t.assignedAgentType,
    agent_execution_status: t.agentExecutionStatus,
    github_pr_url: t.githubPrUrl,
    github_pr_number: t.githubPrNumber,
    github_branch_name: t.githubBranchName,
    created_by: t.createdBy,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

export function boardTaskPatchFromWire(b: z.infer<typeof updateBoardTaskBody>): BoardTaskPatch {
  return {
    ...(b.title !== undefined ? { title: b.title } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.status !== undefined ? { status: b.status } : {}),
    ...(b.priority !== undefined ? { priority: b.priority } : {}),
    ...(b.position !== undefined ? { position: b.position } : {}),
    ...(b.assigned_agent_type !== undefined ? { assignedAgentType: b.assigned_agent_type } : {}),
  };
}

/** The execution record of REFERENCE.md: `status` is the runtime state collapsed to queued/running/finished ones, `execution_state` the exact one. */
export const executionView = z.object({
  id: z.number().int(),
  task_id: z.number().int(),
  execution_uuid: z.string(),
  agent_type: z.string(),
  prompt: z.string(),
  response: z.string().nullable(),
  status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled', 'unknown']),
  execution_state: z.string().nullable(),
  error_message: z.string().nullable(),
  session_id: z.string().nullable(),
  user_id: z.string(),
  started_at: z.string(),
  completed_at: z.string().nullable(),
});
export const executionList = z.object({ executions: z.array(executionView) });

const responseText = (result: Json | null | undefined): string | null =>
  result === null || result === undefined ? null : typeof result === 'string' ? result : JSON.stringify(result);

export function executionToWire(v: ExecutionView): z.infer<typeof executionView> {
  const t = v.task;
  const state = t?.state;
  const status = state === undefined ? 'unknown' : state === 'planning' || state === 'waiting' ? 'running' : state;
  return {
    id: v.execution.id,
    task_id: v.execution.boardTaskId,
    execution_uuid: v.execution.executionUuid,
    agent_type: v.execution.agentType,
    prompt: v.execution.prompt,
    response: responseText(t?.result),
    status,
    execution_state: state ?? null,
    error_message: t?.error ?? null,
    session_id: v.execution.sessionId,
    user_id: v.execution.userId,
    started_at: iso(v.execution.startedAt),
    completed_at: iso(t?.finishedAt ?? null),
  };
}

export const activityView = z.object({
  id: z.number().int(),
  project_id: z.number().int(),
  task_id: z.number().int().nullable(),
  task_key: z.string().nullable(),
  kind: z.string().describe('created | moved | edited | deleted | executed | execution_state | pr_opened'),
  actor_id: z.string().nullable().describe('null: the engine (an execution changed state)'),
  details: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export const activityList = z.object({ activity: z.array(activityView) });

export function activityToWire(a: BoardActivity): z.infer<typeof activityView> {
  return { id: a.id, project_id: a.projectId, task_id: a.boardTaskId, task_key: a.taskKey, kind: a.kind, actor_id: a.actorId, details: a.details, created_at: iso(a.createdAt) };
}

export const diffView = z.object({
  task_id: z.number().int(),
  base: z.string(),
  branch: z.string(),
  files: z.array(z.object({ path: z.string(), added: z.number().int(), removed: z.number().int(), binary: z.boolean() })),
  diff: z.string().describe('The unified diff, cut at 512 KiB'),
  truncated: z.boolean(),
});

export function diffToWire(d: BoardDiff): z.infer<typeof diffView> {
  return { task_id: d.taskId, base: d.base, branch: d.branch, files: d.files.map((f) => ({ ...f })), diff: d.diff, truncated: d.truncated };
}

export const createPrBody = z
  .object({ title: z.string().min(1).max(256).optional(), body: z.string().max(60_000).optional() })
  .strict()
  .default({});

/** REFERENCE.md's answer of `create_pr`, plus whether this call opened it. */
export const pullRequestView = z.object({ success: z.literal(true), pr_url: z.string(), pr_number: z.number().int(), branch_name: z.string(), created: z.boolean() });

export const pullRequestToWire = (pr: PullRequest): z.infer<typeof pullRequestView> => ({ success: true, pr_url: pr.url, pr_number: pr.number, branch_name: pr.branch, created: pr.created });
