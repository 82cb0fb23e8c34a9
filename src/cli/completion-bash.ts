/**
 * `switchboard completion bash`: a bash completion script generated from the command
 * tree. The tree is embedded as `case` tables (no associative arrays, so bash 3.2 on
 * macOS works too); one function walks the words typed so far to the command path.
 */
import type { CompletionNode } from './completion-tree.ts';

/** Single-quoted for any POSIX shell. */
export const shQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

const key = (path: readonly string[]): string => shQuote(path.join(' '));

function table(name: string, doc: string, rows: readonly (readonly [string, readonly string[]])[]): string {
  const cases = rows.filter(([, words]) => words.length > 0).map(([pattern, words]) => `    ${pattern}) printf '%s\\n' ${words.map(shQuote).join(' ')} ;;`);
  return [`# ${doc}`, `${name}() {`, '  case "$1" in', ...cases, '  esac', '}'].join('\n');
}

/** The bash script for a program named `program` with the command tree `nodes`. */
export function bashCompletion(program: string, nodes: readonly CompletionNode[]): string {
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const optionChoices: [string, string[]][] = [];
  const argChoices: [string, string[]][] = [];
  for (const n of nodes) {
    for (const o of n.options) for (const name of o.names) if (o.choices.length > 0) optionChoices.push([`${shQuote(`${n.path.join(' ')}|${name}`)}`, [...o.choices]]);
    n.argumentChoices.forEach((choices, i) => {
      if (choices.length > 0) argChoices.push([shQuote(`${n.path.join(' ')}|${i}`), [...choices]]);
    });
  }
  return `# bash completion for ${program}, generated from its commands by \`${program} completion bash\`.
# Load it with: source <(${program} completion bash)

${table(`${fn}_commands`, 'The subcommands of a command path ($1).', nodes.map((n) => [key(n.path), n.commands.map((c) => c.name)]))}

${table(`${fn}_options`, 'The options a command path ($1) accepts.', nodes.map((n) => [key(n.path), n.options.flatMap((o) => o.names)]))}

${table(`${fn}_value_options`, 'The options of a command path ($1) that take a value.', nodes.map((n) => [key(n.path), n.options.filter((o) => o.takesValue).flatMap((o) => o.names)]))}

${table(`${fn}_option_choices`, 'The values of an option ("path|option").', optionChoices)}

${table(`${fn}_argument_choices`, 'The values of a positional argument ("path|index").', argChoices)}

${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath="" w i n=0 skip=0 words
  COMPREPLY=()
  # Walk the words before the cursor: subcommands extend the path, option values are skipped.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      --*=*) ;;
      -*) if [[ $'\\n'"$(${fn}_value_options "$cmdpath")"$'\\n' == *$'\\n'"$w"$'\\n'* ]]; then skip=1; fi ;;
      *)
        if ((n == 0)) && [[ $'\\n'"$(${fn}_commands "$cmdpath")"$'\\n' == *$'\\n'"$w"$'\\n'* ]]; then
          cmdpath="\${cmdpath:+$cmdpath }$w"
        else
          n=$((n + 1))
        fi ;;
    esac
  done
  if ((skip)); then
    words="$(${fn}_option_choices "$cmdpath|\${COMP_WORDS[COMP_CWORD-1]}")"
    [[ -n "$words" ]] && COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$cmdpath")" -- "$cur"))
    return 0
  fi
  words="$(${fn}_commands "$cmdpath")"
  if ((n == 0)) && [[ -n "$words" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
  fi
  words="$(${fn}_argument_choices "$cmdpath|$n")"
  [[ -n "$words" ]] && COMPREPLY=($(compgen -W "$words" -- "$cur"))
  return 0
}

complete -o default -F ${fn} ${program}
`;
}
