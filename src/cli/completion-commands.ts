/** `switchboard completion bash|zsh|fish`: prints a completion script generated from the command tree. */
import { Argument, type Command } from 'commander';
import { bashCompletion } from './completion-bash.ts';
import { fishCompletion } from './completion-fish.ts';
import { completionTree } from './completion-tree.ts';
import { zshCompletion } from './completion-zsh.ts';

export const Shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof Shells)[number];

/** The completion script of `root`'s whole command tree for `shell`. */
export function completionScript(root: Command, shell: Shell): string {
  const nodes = completionTree(root);
  const name = root.name();
  switch (shell) {
    case 'bash':
      return bashCompletion(name, nodes);
    case 'zsh':
      return zshCompletion(name, nodes);
    case 'fish':
      return fishCompletion(name, nodes);
    default: {
      const never: never = shell;
      throw new Error(`unknown shell ${String(never)}`);
    }
  }
}

const rootOf = (cmd: Command): Command => (cmd.parent === null ? cmd : rootOf(cmd.parent));

/** Adds `completion` to `program`; the script covers every command registered by the time it runs. */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish (see the README for where to put it)')
    .addArgument(new Argument('<shell>', 'the shell').choices(Shells))
    .action((shell: Shell, _opts: unknown, cmd: Command) => {
      process.stdout.write(completionScript(rootOf(cmd), shell));
    });
}
