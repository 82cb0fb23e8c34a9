/** The wire model of /api/projects (REFERENCE.md, Phase 1 fields): zod schemas and mappers. */
import { z } from 'zod';
import { ProjectStatuses, type Project, type ProjectFields } from '../core/domain/project.ts';
import { iso } from './primitives.ts';

const nullableText = (max: number) => z.string().max(max).nullable().optional();

const fields = {
  name: z.string().min(1).max(255),
  key: z.string().min(1).max(50).describe('1-50 upper-case letters or digits, unique, e.g. DEMO (board task keys are DEMO-1, DEMO-2 …)'),
  description: nullableText(10_000),
  status: z.enum(ProjectStatuses).optional(),
  github_repo_url: nullableText(500).describe('https://github.com/o/r(.git), git@github.com:o/r(.git), or the same on a GitHub Enterprise host'),
  telegram_chat_id: z.union([z.string().max(100), z.number().int()]).nullable().optional(),
  repo_path: nullableText(4096).describe("An absolute path to a local clone on the server (not inside its data dir); its origin is where task branches are pushed"),
  default_branch: nullableText(255).describe("The branch pull requests target (default: the repository's HEAD branch)"),
  default_agent_type: nullableText(200).describe('The agent a task runs on when neither the call nor the task names one'),
};

export const createProjectBody = z.object(fields).strict();
export const updateProjectBody = z.object(fields).partial().strict();
export const projectParams = z.object({ id: z.string().min(1).max(60).describe('The project id or key') });
export const deleteProjectQuery = z.object({ force: z.enum(['true', 'false']).optional().describe('Also delete its tasks, cancelling running executions') }).strict();

export const projectView = z.object({
  id: z.number().int(),
  name: z.string(),
  key: z.string(),
  description: z.string().nullable(),
  status: z.enum(ProjectStatuses),
  github_repo_url: z.string().nullable(),
  github_repo_owner: z.string().nullable(),
  github_repo_name: z.string().nullable(),
  telegram_chat_id: z.string().nullable(),
  repo_path: z.string().nullable(),
  default_branch: z.string().nullable(),
  default_agent_type: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ProjectView = z.infer<typeof projectView>;

export function projectToWire(p: Project): ProjectView {
  return {
    id: p.id,
    name: p.name,
    key: p.key,
    description: p.description,
    status: p.status,
    github_repo_url: p.githubRepoUrl,
    github_repo_owner: p.githubRepoOwner,
    github_repo_name: p.githubRepoName,
    telegram_chat_id: p.telegramChatId,
    repo_path: p.repoPath,
    default_branch: p.defaultBranch,
    default_agent_type: p.defaultAgentType,
    created_by: p.createdBy,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

type Body = z.infer<typeof updateProjectBody>;

/** The fields a body sets (absent: unchanged; null: cleared). */
export function projectFieldsFromWire(b: Body): Partial<ProjectFields> {
  const out: { -readonly [K in keyof ProjectFields]?: ProjectFields[K] } = {};
  if (b.name !== undefined) out.name = b.name;
  if (b.key !== undefined) out.key = b.key;
  if (b.description !== undefined) out.description = b.description;
  if (b.status !== undefined) out.status = b.status;
  if (b.github_repo_url !== undefined) out.githubRepoUrl = b.github_repo_url;
  if (b.telegram_chat_id !== undefined) out.telegramChatId = b.telegram_chat_id === null ? null : String(b.telegram_chat_id);
  if (b.repo_path !== undefined) out.repoPath = b.repo_path;
  if (b.default_branch !== undefined) out.defaultBranch = b.default_branch;
  if (b.default_agent_type !== undefined) out.defaultAgentType = b.default_agent_type;
  return out;
}

export const projectInputFromWire = (b: z.infer<typeof createProjectBody>): Pick<ProjectFields, 'name' | 'key'> & Partial<ProjectFields> => ({ ...projectFieldsFromWire(b), name: b.name, key: b.key });
