/**
 * `switchboard completion fish`: fish completions generated from the command tree.
 * One helper walks the command line to the command path (subcommands, skipping
 * option values); each subcommand, option and argument choice is a `complete` line
 * conditioned on that path.
 */
import type { CompletionNode } from './completion-tree.ts';

/** Single-quoted for fish (which knows \\' and \\\\ inside single quotes). */
export const fishQuote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function table(name: string, doc: string, rows: readonly (readonly [string, readonly string[]])[]): string {
  const cases = rows.filter(([, words]) => words.length > 0).map(([pattern, words]) => `        case ${pattern}\n            printf '%s\\n' ${words.map(fishQuote).join(' ')}`);
  return [`# ${doc}`, `function ${name}`, '    switch "$argv[1]"', ...cases, '    end', 'end'].join('\n');
}

/** The fish script for a program named `program` with the command tree `nodes`. */
export function fishCompletion(program: string, nodes: readonly CompletionNode[]): string {
  const fn = `__${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const key = (path: readonly string[]): string => fishQuote(path.join(' '));
  const lines: string[] = [];
  const complete = (condition: string, rest: string): void => {
    lines.push(`complete -c ${program} -n ${fishQuote(condition)} ${rest}`);
  };
  for (const n of nodes) {
    const at = key(n.path);
    for (const c of n.commands) complete(`${fn}_at ${at} 0`, `-f -a ${fishQuote(c.name)} -d ${fishQuote(c.description)}`);
    for (const o of n.options) {
      const spell = o.names.map((name) => (name.startsWith('--') ? `-l ${fishQuote(name.slice(2))}` : `-s ${fishQuote(name.slice(1))}`)).join(' ');
      const value = o.choices.length > 0 ? `-x -a ${fishQuote(o.choices.join(' '))}` : o.takesFile ? '-r -F' : o.takesValue ? '-x' : '';
      complete(`${fn}_in ${at}`, `${spell} ${value} -d ${fishQuote(o.description)}`.replace(/ {2,}/g, ' '));
    }
    n.argumentChoices.forEach((choices, i) => {
      if (choices.length > 0) complete(`${fn}_at ${at} ${i}`, `-f -a ${fishQuote(choices.join(' '))}`);
    });
  }
  return `# fish completion for ${program}, generated from its commands by \`${program} completion fish\`.
# Load it with: ${program} completion fish | source, or save it as ~/.config/fish/completions/${program}.fish

${table(`${fn}_commands`, 'The subcommands of a command path ($argv[1]).', nodes.map((n) => [key(n.path), n.commands.map((c) => c.name)]))}

${table(`${fn}_value_options`, 'The options of a command path ($argv[1]) that take a value.', nodes.map((n) => [key(n.path), n.options.filter((o) => o.takesValue).flatMap((o) => o.names)]))}

# Prints the number of positional arguments so far, then the command path.
function ${fn}_walk
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l p ''
    set -l n 0
    set -l skip 0
    for w in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if string match -q -- '--*=*' $w
            continue
        else if string match -q -- '-*' $w
            if contains -- $w (${fn}_value_options "$p")
                set skip 1
            end
        else if test $n -eq 0; and contains -- $w (${fn}_commands "$p")
            set p (string trim -- "$p $w")
        else
            set n (math $n + 1)
        end
    end
    echo $n
    echo $p
end

# True at command path $argv[1] with $argv[2] positional arguments typed.
function ${fn}_at
    set -l s (${fn}_walk)
    test "$s[1]" = "$argv[2]"; and test "$s[2]" = "$argv[1]"
end

# True anywhere within command path $argv[1].
function ${fn}_in
    set -l s (${fn}_walk)
    test "$s[2]" = "$argv[1]"
end

${lines.join('\n')}
`;
}
