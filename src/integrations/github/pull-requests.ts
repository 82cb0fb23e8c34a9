/**
 * Pull requests through the GitHub REST API (Octokit; `apiUrl` for GitHub Enterprise).
 * Idempotent: an open pull request for the branch is returned instead of a second one.
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
  return {
    async open(input) {
      let open;
      try {
        open = await octokit.rest.pulls.list({ owner: input.owner, repo: input.repo, head: `${input.owner}:${input.head}`, state: 'open', per_page: 1 });
      } catch (err) {
        throw mapped(err, 'list pull requests');
      }
      const existing = open.data[0];
      if (existing !== undefined) return { number: existing.number, url: existing.html_url, created: false };
      try {
        const made = await octokit.rest.pulls.create({ owner: input.owner, repo: input.repo, head: input.head, base: input.base, title: input.title, body: input.body });
        return { number: made.data.number, url: made.data.html_url, created: true };
      } catch (err) {
        throw mapped(err, 'open the pull request');
      }
    },
  };
}
