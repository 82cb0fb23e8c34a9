/**
 * The command tree of a commander program as plain data for shell completion:
 * every command path with its subcommands, options (its own, the ones inherited
 * from the root such as --json, and --help) and positional argument choices.
 * The completion scripts are generated from this, so they follow the commands.
 */
import type { Command, Option } from 'commander';

/** An option as completion sees it. */
export interface CompletionOption {
  /** Every spelling: `-f`, `--follow`. */
  readonly names: readonly string[];
  /** It takes a value (`--limit <n>`), so the next word is not a command or argument. */
  readonly takesValue: boolean;
  /** Its value is a file name (`--file <file>`). */
  readonly takesFile: boolean;
  /** The values it accepts, when commander knows them. */
  readonly choices: readonly string[];
  readonly description: string;
}

/** A subcommand name with what it does. */
export interface CompletionCommand {
  readonly name: string;
  readonly description: string;
}

/** One command path, e.g. ['users', 'create'] (the root is []). */
export interface CompletionNode {
  readonly path: readonly string[];
  readonly commands: readonly CompletionCommand[];
  readonly options: readonly CompletionOption[];
  /** The accepted values of each positional argument, by position ([] when free). */
  readonly argumentChoices: readonly (readonly string[])[];
}

/** One line, short enough for a completion menu. */
export function shortDescription(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}

function toOption(o: Option): CompletionOption {
  return {
    names: [o.short, o.long].filter((n): n is string => n !== undefined),
    takesValue: o.required || o.optional,
    takesFile: /[<[]file[\]>]/.test(o.flags),
    choices: o.argChoices ?? [],
    description: shortDescription(o.description),
  };
}

/** The root's options that every subcommand accepts too (all but --version). */
function inheritedOptions(root: Command): CompletionOption[] {
  return root.options.filter((o) => !o.hidden && o.attributeName() !== 'version').map(toOption);
}

/** Every command path of the program under `root`, depth first, root first. */
export function completionTree(root: Command): CompletionNode[] {
  const inherited = inheritedOptions(root);
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: readonly string[]): void => {
    const help = cmd.createHelp();
    const own = help.visibleOptions(cmd).map(toOption);
    const seen = new Set(own.flatMap((o) => o.names));
    const options = path.length === 0 ? own : [...own, ...inherited.filter((o) => o.names.every((n) => !seen.has(n)))];
    const children = help.visibleCommands(cmd);
    nodes.push({
      path,
      commands: children.map((c) => ({ name: c.name(), description: shortDescription(c.description()) })),
      options,
      argumentChoices: cmd.registeredArguments.map((a) => a.argChoices ?? []),
    });
    // The implicit `help` command has no tree of its own below it.
    for (const child of cmd.commands) if (children.includes(child)) visit(child, [...path, child.name()]);
  };
  visit(root, []);
  return nodes;
}
