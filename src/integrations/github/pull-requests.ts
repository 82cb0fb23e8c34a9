/**
 * Pull requests through the GitHub REST API (Octokit; `apiUrl` for GitHub Enterprise).
 * Idempotent: an open pull request for the branch is returned instead of a second one,
 * also when another caller opened it between our look and our create.
 * GitHub's refusals become typed errors; the token never appears in one.
 */
import { Octokit } from '@octokit/rest';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { PullRequestOpener } from '../../core/ports/board-git.ts';

/** The public API; GitHub Enterprise serves it at `https://<host>/api/v3`. */
export const GITHUB_API_URL = 'https://api.github.com';

function mapped(err: unknown, what: string): SwitchboardError {
  const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 0;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 401) return new SwitchboardError('GITHUB_TOKEN_INVALID', undefined, { status });
  if (status === 403) return new SwitchboardError('GITHUB_FORBIDDEN', undefined, { status });
  if (status === 404) return new SwitchboardError('GITHUB_REPO_NOT_FOUND', undefined, { status });
  if (status === 422 && /no commits between/i.test(message)) return new SwitchboardError('NOTHING_TO_PROPOSE', undefined, { status });
  return new SwitchboardError('GITHUB_API_FAILED', `GitHub refused to ${what} (${status || 'no answer'})`, { status });
}

export function createPullRequests(options: { readonly token: string; readonly apiUrl?: string }): PullRequestOpener {
  const octokit = new Octokit({ auth: options.token, baseUrl: (options.apiUrl ?? GITHUB_API_URL).replace(/\/+$/, ''), request: { retries: 0 } });

  async function openFor(owner: string, repo: string, head: string): Promise<{ number: number; url: string } | undefined> {
    try {
      const open = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, state: 'open', per_page: 1 });
      const pr = open.data[0];
      return pr === undefined ? undefined : { number: pr.number, url: pr.html_url };
    } catch (err) {
      throw mapped(err, 'list pull requests');
    }
  }

  return {
    async isOpen(input) {
      try {
        const pr = await octokit.rest.pulls.get({ owner: input.owner, repo: input.repo, pull_number: input.number });
        return pr.data.state === 'open';
      } catch (err) {
        // A pull request that is gone is not open; anything else is GitHub refusing.
        if ((err as { status?: unknown }).status === 404) return false;
        throw mapped(err, 'read the pull request');
      }
    },
    async open(input) {
      const existing = await openFor(input.owner, input.repo, input.head);
      if (existing !== undefined) return { ...existing, created: false };
      try {
        const made = await octokit.rest.pulls.create({ owner: input.owner, repo: input.repo, head: input.head, base: input.base, title: input.title, body: input.body });
        return { number: made.data.number, url: made.data.html_url, created: true };
      } catch (err) {
        // Someone opened one for this branch between our listing and our create (another node, a person).
        if ((err as { status?: unknown }).status === 422 && /already exists/i.test(err instanceof Error ? err.message : '')) {
          const raced = await openFor(input.owner, input.repo, input.head);
          if (raced !== undefined) return { ...raced, created: false };
        }
        throw mapped(err, 'open the pull request');
      }
    },
  };
}
