/** Projects of the portal (REFERENCE.md, Phase 1): fields, enums and the rules on them. Pure. */

export const ProjectStatuses = ['active', 'completed', 'archived', 'on_hold'] as const;
export type ProjectStatus = (typeof ProjectStatuses)[number];

/** A project key: 1-50 upper-case letters or digits, e.g. `DEMO` (board task keys are `<KEY>-<n>`). */
export const PROJECT_KEY = /^[A-Z0-9]{1,50}$/;

export interface Project {
  readonly id: number;
  readonly name: string;
  readonly key: string;
  readonly description: string | null;
  readonly status: ProjectStatus;
  readonly githubRepoUrl: string | null;
  readonly githubRepoOwner: string | null;
  readonly githubRepoName: string | null;
  readonly telegramChatId: string | null;
  /** A local clone on the server; its `origin` is where task branches are pushed. */
  readonly repoPath: string | null;
  /** The branch pull requests target (null: the repository's HEAD branch). */
  readonly defaultBranch: string | null;
  /** The agent a board task runs on when neither the call nor the task names one. */
  readonly defaultAgentType: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What a caller may set on a project (the id, owner and timestamps are the store's). */
export type ProjectFields = Omit<Project, 'id' | 'createdBy' | 'createdAt' | 'updatedAt' | 'githubRepoOwner' | 'githubRepoName'>;

/** A GitHub repository named by a clone URL. */
export interface GithubRepo {
  readonly host: string;
  readonly owner: string;
  readonly name: string;
}

const NAME = '[A-Za-z0-9_.-]+';
const HTTPS_REPO = new RegExp(`^https://([A-Za-z0-9.-]+(?::\\d+)?)/(${NAME})/(${NAME}?)(?:\\.git)?/?$`);
const SSH_REPO = new RegExp(`^(?:ssh://)?git@([A-Za-z0-9.-]+)[:/](${NAME})/(${NAME}?)(?:\\.git)?$`);

/**
 * The owner and name of `https://github.com/o/r(.git)` or `git@github.com:o/r(.git)`,
 * on github.com or a GitHub Enterprise host; undefined for anything else.
 */
export function parseGithubRepoUrl(url: string): GithubRepo | undefined {
  const m = HTTPS_REPO.exec(url.trim()) ?? SSH_REPO.exec(url.trim());
  if (m === null) return undefined;
  const [, host, owner, rawName] = m;
  const name = rawName?.replace(/\.git$/, '');
  if (host === undefined || owner === undefined || name === undefined || name === '' || name === '.' || name === '..') return undefined;
  return { host: host.toLowerCase(), owner, name };
}
