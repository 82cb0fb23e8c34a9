/**
 * What `switchboard projects …` does once its arguments are parsed. A project is
 * named by its key (DEMO) or its numeric id. On update, an empty value (`--repo-path ''`)
 * clears a field.
 */
import { ApiError, ExitCodes, ExitError, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { formatTable } from './format.ts';
import { boardClient, type ProjectBody } from './board-client.ts';
import type { ProjectView } from '../wire/project.ts';

/** The project fields as commander hands them over (`--repo-url` → repoUrl …). */
export interface ProjectFieldOptions {
  readonly name?: string;
  readonly key?: string;
  readonly description?: string;
  readonly status?: string;
  readonly repoUrl?: string;
  readonly repoPath?: string;
  readonly defaultBranch?: string;
  readonly agent?: string;
  readonly telegramChat?: string;
}
export interface ProjectDeleteOptions {
  readonly force?: boolean;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

const FIELDS: readonly (readonly [keyof ProjectFieldOptions, keyof ProjectBody])[] = [
  ['name', 'name'],
  ['key', 'key'],
  ['description', 'description'],
  ['status', 'status'],
  ['repoUrl', 'github_repo_url'],
  ['repoPath', 'repo_path'],
  ['defaultBranch', 'default_branch'],
  ['agent', 'default_agent_type'],
  ['telegramChat', 'telegram_chat_id'],
];

/** The request body of the options given; with `clearEmpty`, '' becomes null (clears the field). */
export function projectBody(opts: ProjectFieldOptions, clearEmpty: boolean): ProjectBody {
  const body: ProjectBody = {};
  for (const [option, field] of FIELDS) {
    const value = opts[option];
    if (value !== undefined) body[field] = clearEmpty && value === '' ? null : value;
  }
  return body;
}

export function formatProject(p: ProjectView): string {
  const rows: [string, string | null][] = [
    ['Project', `${p.key} · ${p.name} (id ${p.id})`],
    ['Status', p.status],
    ['Description', p.description],
    ['GitHub', p.github_repo_url],
    ['Clone', p.repo_path],
    ['Base branch', p.default_branch],
    ['Default agent', p.default_agent_type],
    ['Telegram chat', p.telegram_chat_id],
    ['Created', `${p.created_at} by ${p.created_by}`],
    ['Updated', p.updated_at],
  ];
  return rows.map(([label, value]) => `${`${label}:`.padEnd(15)}${value ?? '-'}`).join('\n');
}

export async function projectsListAction(ctx: CommandContext): Promise<number> {
  const projects = await boardClient(ctx.client).listProjects();
  if (ctx.json) ctx.out(pretty(projects));
  else if (projects.length === 0) ctx.note('No projects yet. Create one: switchboard projects create --key DEMO --name "Demo"');
  else {
    ctx.out(
      formatTable(
        ['KEY', 'ID', 'STATUS', 'AGENT', 'REPOSITORY', 'NAME'],
        projects.map((p) => [p.key, String(p.id), p.status, p.default_agent_type ?? '-', p.github_repo_url ?? p.repo_path ?? '-', p.name]),
      ),
    );
  }
  return ExitCodes.ok;
}

export async function projectsCreateAction(ctx: CommandContext, opts: ProjectFieldOptions): Promise<number> {
  const created = await boardClient(ctx.client).createProject(projectBody(opts, false));
  ctx.out(ctx.json ? pretty(created) : `Created project ${created.key} (id ${created.id}). Add a task: switchboard tasks create ${created.key} "…"`);
  return ExitCodes.ok;
}

export async function projectsShowAction(ctx: CommandContext, ref: string): Promise<number> {
  const p = await boardClient(ctx.client).getProject(ref);
  ctx.out(ctx.json ? pretty(p) : formatProject(p));
  return ExitCodes.ok;
}

export async function projectsUpdateAction(ctx: CommandContext, ref: string, opts: ProjectFieldOptions): Promise<number> {
  const body = projectBody(opts, true);
  if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one field option (see switchboard projects update --help)');
  const p = await boardClient(ctx.client).updateProject(ref, body);
  ctx.out(ctx.json ? pretty(p) : formatProject(p));
  return ExitCodes.ok;
}

export async function projectsDeleteAction(ctx: CommandContext, ref: string, opts: ProjectDeleteOptions): Promise<number> {
  let p: ProjectView;
  try {
    p = await boardClient(ctx.client).deleteProject(ref, opts.force === true);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'PROJECT_HAS_TASKS') {
      throw new ExitError(ExitCodes.failure, `project ${ref} still has tasks: ${err.message.replace(/; delete with force=true$/, '')}. Delete them too with --force (running executions are cancelled)`);
    }
    throw err;
  }
  ctx.out(ctx.json ? pretty(p) : `Deleted project ${p.key} (id ${p.id})${opts.force === true ? ' with its tasks' : ''}`);
  return ExitCodes.ok;
}
