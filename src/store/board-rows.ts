/** Row ↔ domain mapping of the board tables (both dialects). */
import { ActivityKinds, BoardStatuses, Priorities, type ActivityKind, type BoardActivity, type BoardStatus, type BoardTask, type Execution, type Priority } from '../core/domain/board.ts';
import type { JsonObject } from '../core/domain/json.ts';
import { ProjectStatuses, type Project, type ProjectStatus } from '../core/domain/project.ts';
import { parseTaskState } from '../core/domain/task-states.ts';
import type { BoardActivityTable, BoardExecutionsTable, BoardTasksTable, ProjectsTable } from './schema.ts';

const oneOf = <T extends string>(values: readonly T[], v: string, fallback: T): T => ((values as readonly string[]).includes(v) ? (v as T) : fallback);
const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function rowToProject(r: ProjectsTable): Project {
  return {
    id: num(r.id),
    name: r.name,
    key: r.key,
    description: r.description,
    status: oneOf<ProjectStatus>(ProjectStatuses, r.status, 'active'),
    githubRepoUrl: r.github_repo_url,
    githubRepoOwner: r.github_repo_owner,
    githubRepoName: r.github_repo_name,
    telegramChatId: r.telegram_chat_id,
    repoPath: r.repo_path,
    defaultBranch: r.default_branch,
    defaultAgentType: r.default_agent_type,
    createdBy: r.created_by,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

/** The columns of a project's fields (the id, counter and timestamps are set by the store). */
export function projectColumns(p: Partial<Omit<Project, 'id' | 'createdAt' | 'updatedAt'>>): Partial<ProjectsTable> {
  const out: Partial<ProjectsTable> = {};
  const set = <K extends keyof ProjectsTable>(k: K, v: ProjectsTable[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('name', p.name);
  set('key', p.key);
  set('description', p.description);
  set('status', p.status);
  set('github_repo_url', p.githubRepoUrl);
  set('github_repo_owner', p.githubRepoOwner);
  set('github_repo_name', p.githubRepoName);
  set('telegram_chat_id', p.telegramChatId);
  set('repo_path', p.repoPath);
  set('default_branch', p.defaultBranch);
  set('default_agent_type', p.defaultAgentType);
  set('created_by', p.createdBy);
  return out;
}

export function rowToBoardTask(r: BoardTasksTable): BoardTask {
  return {
    id: num(r.id),
    projectId: num(r.project_id),
    number: num(r.number),
    key: r.key,
    title: r.title,
    description: r.description,
    status: oneOf<BoardStatus>(BoardStatuses, r.status, 'todo'),
    priority: oneOf<Priority>(Priorities, r.priority, 'medium'),
    position: Number(r.position),
    assignedAgentType: r.assigned_agent_type,
    agentExecutionStatus: r.agent_execution_status === null ? null : (parseTaskState(r.agent_execution_status) ?? null),
    githubPrUrl: r.github_pr_url,
    githubPrNumber: numOrNull(r.github_pr_number),
    githubBranchName: r.github_branch_name,
    createdBy: r.created_by,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    statusSetAt: numOrNull(r.status_set_at),
  };
}

export function rowToExecution(r: BoardExecutionsTable): Execution {
  return {
    id: num(r.id),
    boardTaskId: num(r.board_task_id),
    executionUuid: r.execution_uuid,
    agentType: r.agent_type,
    prompt: r.prompt,
    userId: r.user_id,
    sessionId: r.session_id,
    startedAt: num(r.started_at),
  };
}

export function rowToActivity(r: BoardActivityTable): BoardActivity {
  const details = JSON.parse(r.details) as unknown;
  return {
    id: num(r.id),
    projectId: num(r.project_id),
    boardTaskId: numOrNull(r.board_task_id),
    taskKey: r.task_key,
    kind: oneOf<ActivityKind>(ActivityKinds, r.kind, 'edited'),
    actorId: r.actor_id,
    details: details !== null && typeof details === 'object' && !Array.isArray(details) ? (details as JsonObject) : {},
    createdAt: num(r.created_at),
  };
}
