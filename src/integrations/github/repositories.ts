/** What the board asks of a project's local clone, answered by git itself (argv arrays, no shell). */
import type { Repositories } from '../../core/ports/repositories.ts';
import { git } from './worktree.ts';

export function createRepositories(): Repositories {
  return {
    async isRepository(path) {
      if (path.startsWith('-')) return false;
      try {
        const top = (await git(path, ['rev-parse', '--show-toplevel'])).trim();
        const bare = (await git(path, ['rev-parse', '--is-bare-repository'])).trim();
        return top.length > 0 && bare === 'false';
      } catch {
        return false;
      }
    },

    async defaultBranch(path) {
      const origin = await git(path, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']).then(
        (out) => out.trim().replace(/^origin\//, ''),
        () => '',
      );
      if (origin !== '') return origin;
      const current = await git(path, ['symbolic-ref', '--quiet', '--short', 'HEAD']).then(
        (out) => out.trim(),
        () => '',
      );
      return current === '' ? null : current;
    },
  };
}
