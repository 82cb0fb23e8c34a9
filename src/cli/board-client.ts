/** Calls of /api/projects and /api/tasks (the board) over the CLI's ApiClient, parsed with the wire schemas. */
import { z } from 'zod';
import type { ApiClient } from './client.ts';
import { collectPages } from './paging.ts';
import { projectView, type ProjectView } from '../wire/project.ts';
import { activityList, boardTaskList, boardTaskView, diffView, executionList, executionView, pullRequestView } from '../wire/board.ts';

export type BoardTaskView = z.infer<typeof boardTaskView>;
export type ActivityView = z.infer<typeof activityList>['activity'][number];

/** Filters of GET /api/tasks (snake_case, as on the wire). */
export interface BoardTaskQuery {
  readonly project_id?: string;
  readonly status?: string;
  readonly assigned_agent_type?: string;
  readonly q?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** Paging of the activity listings: entries after `after_id`, at most `limit`. */
export interface ActivityQuery {
  readonly after_id?: number;
  readonly limit?: number;
}

const query = (q: object): string => {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, String(v));
  const text = qs.toString();
  return text === '' ? '' : `?${text}`;
};

const seg = encodeURIComponent;
const project = (ref: string): string => `/api/projects/${seg(ref)}`;
const task = (ref: string, tail = ''): string => `/api/tasks/${seg(ref)}${tail}`;

/** Project fields as the API takes them; `null` clears a field. */
export type ProjectBody = Partial<Record<'name' | 'key' | 'description' | 'status' | 'github_repo_url' | 'repo_path' | 'default_branch' | 'default_agent_type' | 'telegram_chat_id', string | null>>;
export type BoardTaskBody = Partial<Record<'title' | 'description' | 'status' | 'priority' | 'assigned_agent_type', string | null>> & { position?: number };

/** The board calls of the `projects`, `board` and `tasks` commands. */
export function boardClient(client: ApiClient) {
  return {
    listProjects: () => client.call('GET', '/api/projects', z.array(projectView)),
    createProject: (body: ProjectBody) => client.call('POST', '/api/projects', projectView, body),
    getProject: (ref: string): Promise<ProjectView> => client.call('GET', project(ref), projectView),
    updateProject: (ref: string, body: ProjectBody) => client.call('PATCH', project(ref), projectView, body),
    deleteProject: (ref: string, force: boolean) => client.call('DELETE', `${project(ref)}${force ? '?force=true' : ''}`, projectView),

    /** Every task of a project (all pages). */
    async listTasks(projectRef: string): Promise<BoardTaskView[]> {
      const page = (cursor: string | undefined) => {
        const q = new URLSearchParams({ project_id: projectRef, limit: '500', ...(cursor !== undefined ? { cursor } : {}) });
        return client.call('GET', `/api/tasks?${q.toString()}`, boardTaskList).then((p) => ({ items: p.tasks, next: p.next_cursor }));
      };
      return (await collectPages(page, undefined, true)).items;
    },
    /** One page of board tasks matching `q`. */
    findTasks: (q: BoardTaskQuery) => client.call('GET', `/api/tasks${query(q)}`, boardTaskList),
    taskActivity: async (ref: string, q: ActivityQuery) => (await client.call('GET', task(ref, `/activity${query(q)}`), activityList)).activity,
    projectActivity: async (ref: string, q: ActivityQuery) => (await client.call('GET', `${project(ref)}/events${query(q)}`, activityList)).activity,
    createTask: (body: BoardTaskBody & { project_id: string }) => client.call('POST', '/api/tasks', boardTaskView, body),
    getTask: (ref: string) => client.call('GET', task(ref), boardTaskView),
    updateTask: (ref: string, body: BoardTaskBody) => client.call('PATCH', task(ref), boardTaskView, body),
    deleteTask: (ref: string) => client.call('DELETE', task(ref), boardTaskView),
    executions: async (ref: string) => (await client.call('GET', task(ref, '/executions'), executionList)).executions,
    execute: (body: { task_id: string; agent_type?: string; prompt?: string }) => client.call('POST', '/api/tasks/execute', executionView, body),
    diff: (ref: string) => client.call('GET', task(ref, '/diff'), diffView),
    createPr: (ref: string, body: { title?: string; body?: string }) => client.call('POST', task(ref, '/create_pr'), pullRequestView, body),
  };
}
