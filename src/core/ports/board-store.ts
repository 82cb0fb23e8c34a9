/** The BoardStore port: projects, board tasks, executions and activity, each write with its audit records. */
import type { AuditInput } from '../domain/audit.ts';
import type { ActivityKind, BoardActivity, BoardStatus, BoardTask, BoardTaskPatch, Execution, Priority } from '../domain/board.ts';
import type { JsonObject } from '../domain/json.ts';
import type { Page } from '../domain/page.ts';
import type { Project, ProjectFields } from '../domain/project.ts';
import type { TaskState } from '../domain/task-states.ts';

/** Audit records written in the same transaction as the change. */
export interface BoardAudit {
  readonly records: readonly AuditInput[];
  readonly now: number;
}

/** An activity entry to append with a change (the store fills in ids, the project and the time). */
export interface ActivityInput {
  readonly kind: ActivityKind;
  readonly actorId: string | null;
  readonly details: JsonObject;
}

export interface NewProject extends ProjectFields {
  readonly githubRepoOwner: string | null;
  readonly githubRepoName: string | null;
  readonly createdBy: string;
}

export interface NewBoardTask {
  readonly projectId: number;
  readonly title: string;
  readonly description: string | null;
  readonly status: BoardStatus;
  readonly priority: Priority;
  readonly assignedAgentType: string | null;
  readonly createdBy: string;
}

export interface BoardTaskFilter {
  readonly projectId?: number;
  readonly status?: BoardStatus;
  readonly assignedAgentType?: string;
  /** Case-insensitive substring of the title, the description or the key. */
  readonly q?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface BoardStore {
  /** Undefined when the key is taken (the unique index decides under concurrency); the audit records are built once the id is known. */
  createProject(project: NewProject, audit: { readonly records: (created: Project) => readonly AuditInput[]; readonly now: number }): Promise<Project | undefined>;
  getProject(id: number): Promise<Project | undefined>;
  findProjectByKey(key: string): Promise<Project | undefined>;
  listProjects(): Promise<readonly Project[]>;
  /** `'key_taken'` when the new key belongs to another project; undefined when the project is gone. */
  updateProject(id: number, fields: Partial<NewProject>, audit: BoardAudit): Promise<Project | 'key_taken' | undefined>;
  /** Removes the project with its board tasks, executions and activity. */
  deleteProject(id: number, audit: BoardAudit): Promise<Project | undefined>;
  countTasks(projectId: number): Promise<number>;

  /** Numbers the task `max + 1` of its project in the same transaction (gap-free, unique) and appends it to its column. */
  createTask(task: NewBoardTask, activity: ActivityInput, audit: { readonly records: (created: BoardTask) => readonly AuditInput[]; readonly now: number }): Promise<BoardTask>;
  getTask(id: number): Promise<BoardTask | undefined>;
  findTaskByKey(key: string): Promise<BoardTask | undefined>;
  /** Ordered by status column, then position. */
  listTasks(filter: BoardTaskFilter): Promise<Page<BoardTask>>;
  /**
   * Applies the patch (a status change without a position appends the card to its new
   * column); `statusSetAt` marks a person's move. Undefined when the task is gone.
   */
  updateTask(id: number, patch: BoardTaskPatch & { readonly statusSetAt?: number }, activity: ActivityInput | undefined, audit: BoardAudit): Promise<BoardTask | undefined>;
  deleteTask(id: number, activity: ActivityInput, audit: BoardAudit): Promise<BoardTask | undefined>;

  addExecution(execution: Omit<Execution, 'id'>, activity: ActivityInput, audit: BoardAudit): Promise<Execution>;
  listExecutions(boardTaskId: number): Promise<readonly Execution[]>;
  findExecutionByUuid(executionUuid: string): Promise<Execution | undefined>;
  /** Every execution of every task of a project (one query). */
  projectExecutions(projectId: number): Promise<readonly Execution[]>;
  /** Executions whose board task still shows a non-terminal execution status (followed again after a restart). */
  unfinishedExecutions(limit: number): Promise<readonly Execution[]>;
  /**
   * Records an execution's new state on its board task, and moves the card to `status`
   * unless a person set the status after `unlessMovedAfter`. Undefined when the task is gone.
   */
  recordExecutionState(
    boardTaskId: number,
    state: TaskState,
    move: { readonly status: BoardStatus; readonly unlessMovedAfter: number } | undefined,
    activity: ActivityInput,
    now: number,
  ): Promise<BoardTask | undefined>;
  /** Records the branch a board task's work is on (set once, when its worktree is first made). */
  setBranch(boardTaskId: number, branch: string, now: number): Promise<void>;
  setPullRequest(boardTaskId: number, pr: { readonly url: string; readonly number: number; readonly branch: string }, activity: ActivityInput, audit: BoardAudit): Promise<BoardTask | undefined>;

  /** A project's activity after `afterId` (oldest first), optionally of one task. */
  listActivity(filter: { readonly projectId: number; readonly boardTaskId?: number; readonly afterId?: number; readonly limit: number }): Promise<readonly BoardActivity[]>;
}
