/** The portal's board as the runtime exposes it: projects, board tasks, executions and their change stream. */
import type { BoardActivity, BoardDiff, BoardStatus, BoardTask, BoardTaskPatch, ExecutionView, Priority, PullRequest } from '../domain/board.ts';
import type { JsonObject } from '../domain/json.ts';
import type { Caller } from '../domain/caller.ts';
import type { Page } from '../domain/page.ts';
import type { Project, ProjectFields } from '../domain/project.ts';

/** A new project: name and key required, the rest optional. */
export type ProjectInput = Pick<ProjectFields, 'name' | 'key'> & Partial<Omit<ProjectFields, 'name' | 'key'>>;

export interface BoardTaskInput {
  /** The project's id or key. */
  readonly project: number | string;
  readonly title: string;
  readonly description?: string | null;
  readonly status?: BoardStatus;
  readonly priority?: Priority;
  readonly assignedAgentType?: string | null;
}

export interface BoardTaskQuery {
  readonly project?: number | string;
  readonly status?: BoardStatus;
  readonly assignedAgentType?: string;
  readonly q?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface ExecuteInput {
  /** The board task's id or key. */
  readonly task: number | string;
  readonly agentType?: string;
  readonly prompt?: string;
  /** More context for the agent (e.g. echo's `delay_ms`); `project` and `task` are the board's own. */
  readonly context?: JsonObject;
  /** The runtime submit's idempotency key: a repeat returns the first execution instead of running again. */
  readonly idempotencyKey?: string;
}

/** Projects: `project:read` to see, `project:write` to create and edit, `project:delete` to delete (policies on `project:<id>` apply). */
export interface ProjectService {
  list(caller: Caller): Promise<readonly Project[]>;
  get(caller: Caller, project: number | string): Promise<Project>;
  create(caller: Caller, input: ProjectInput): Promise<Project>;
  update(caller: Caller, project: number | string, patch: Partial<ProjectFields>): Promise<Project>;
  /** With tasks, only with `force` (their running executions are cancelled). */
  delete(caller: Caller, project: number | string, options: { readonly force: boolean }): Promise<Project>;
}

/** Board tasks, their executions and history; reads need `project:read`, changes `project:write` on the task's project. */
export interface BoardService {
  list(caller: Caller, query: BoardTaskQuery): Promise<Page<BoardTask>>;
  /** By id or by key (`DEMO-7`). */
  get(caller: Caller, task: number | string): Promise<BoardTask>;
  create(caller: Caller, input: BoardTaskInput): Promise<BoardTask>;
  update(caller: Caller, task: number | string, patch: BoardTaskPatch): Promise<BoardTask>;
  delete(caller: Caller, task: number | string): Promise<BoardTask>;
  activity(caller: Caller, task: number | string, options: { readonly afterId?: number; readonly limit: number }): Promise<readonly BoardActivity[]>;
  /** Submits a runtime task for the board task (agent: given, else the task's, else the project's default). */
  execute(caller: Caller, input: ExecuteInput): Promise<ExecutionView>;
  executions(caller: Caller, task: number | string): Promise<readonly ExecutionView[]>;
  /** A project's board changes after `afterId`; the project must be readable by the caller. */
  projectActivity(caller: Caller, project: number | string, options: { readonly afterId?: number; readonly limit: number }): Promise<{ readonly project: Project; readonly items: readonly BoardActivity[] }>;
  /** Opens a project's change stream (authorized when called): history after `afterId`, then live changes until `signal` aborts. */
  streamProject(caller: Caller, project: number | string, options: { readonly afterId?: number; readonly signal: AbortSignal }): Promise<AsyncIterable<BoardActivity>>;
}

/** A board task's branch: its diff (`project:read`) and its pull request (`project:write`). */
export interface BoardGitService {
  diff(caller: Caller, task: number | string): Promise<BoardDiff>;
  /** Commits what the agent left, pushes the branch and opens (or finds) the pull request to the default branch. */
  createPullRequest(caller: Caller, task: number | string, input: { readonly title?: string; readonly body?: string }): Promise<PullRequest>;
}
