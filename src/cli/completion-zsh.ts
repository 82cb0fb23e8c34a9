/**
 * `switchboard completion zsh`: a zsh completion function generated from the command
 * tree, with each subcommand's and option's description in the menu. Works from a
 * file on $fpath (as `_switchboard`) or sourced.
 */
import type { CompletionNode } from './completion-tree.ts';
import { shQuote } from './completion-bash.ts';

// `_describe` splits "name:description" at the first unescaped colon.
const item = (name: string, description: string): string => shQuote(`${name.replace(/:/g, '\\:')}:${description}`);

function table(name: string, doc: string, rows: readonly (readonly [string, readonly string[]])[]): string {
  const cases = rows.filter(([, words]) => words.length > 0).map(([pattern, words]) => `    ${pattern}) reply=(${words.join(' ')}) ;;`);
  return [`# ${doc}`, `${name}() {`, '  case "$1" in', ...cases, '    *) reply=() ;;', '  esac', '}'].join('\n');
}

/** The zsh script for a program named `program` with the command tree `nodes`. */
export function zshCompletion(program: string, nodes: readonly CompletionNode[]): string {
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const key = (path: readonly string[]): string => shQuote(path.join(' '));
  const optionChoices: [string, string[]][] = [];
  const argChoices: [string, string[]][] = [];
  for (const n of nodes) {
    for (const o of n.options) for (const name of o.names) if (o.choices.length > 0) optionChoices.push([shQuote(`${n.path.join(' ')}|${name}`), o.choices.map(shQuote)]);
    n.argumentChoices.forEach((choices, i) => {
      if (choices.length > 0) argChoices.push([shQuote(`${n.path.join(' ')}|${i}`), choices.map(shQuote)]);
    });
  }
  const commands = nodes.map((n) => [key(n.path), n.commands.map((c) => item(c.name, c.description))] as const);
  const options = nodes.map((n) => [key(n.path), n.options.flatMap((o) => o.names.map((name) => item(name, o.description)))] as const);
  const valueOptions = nodes.map((n) => [key(n.path), n.options.filter((o) => o.takesValue).flatMap((o) => o.names.map(shQuote))] as const);
  return `#compdef ${program}
# zsh completion for ${program}, generated from its commands by \`${program} completion zsh\`.
# Load it with: source <(${program} completion zsh), or save it as _${program} in a folder on $fpath.

${table(`${fn}_commands`, 'The subcommands of a command path ($1), as name:description.', commands)}

${table(`${fn}_options`, 'The options a command path ($1) accepts, as name:description.', options)}

${table(`${fn}_value_options`, 'The options of a command path ($1) that take a value.', valueOptions)}

${table(`${fn}_option_choices`, 'The values of an option ("path|option").', optionChoices)}

${table(`${fn}_argument_choices`, 'The values of a positional argument ("path|index").', argChoices)}

# Offers the words in $reply, or file names when there are none.
${fn}_values() {
  if (( \${#reply} )); then compadd -a reply; else _files; fi
}

${fn}() {
  local cmdpath="" w i n=0 skip=0
  local -a reply names
  # Walk the words before the cursor: subcommands extend the path, option values are skipped.
  for (( i = 2; i < CURRENT; i++ )); do
    w=\${words[i]}
    if (( skip )); then skip=0; continue; fi
    case $w in
      --*=*) ;;
      -*) ${fn}_value_options "$cmdpath"; (( \${reply[(Ie)$w]} )) && skip=1 ;;
      *)
        ${fn}_commands "$cmdpath"; names=(\${reply%%:*})
        if (( n == 0 && \${names[(Ie)$w]} )); then cmdpath=\${cmdpath:+$cmdpath }$w; else n=$((n + 1)); fi ;;
    esac
  done
  if (( skip )); then
    ${fn}_option_choices "$cmdpath|\${words[CURRENT-1]}"
    ${fn}_values
    return
  fi
  # --option=value: the value after the "=".
  if [[ \${words[CURRENT]} == --*=* ]]; then
    ${fn}_option_choices "$cmdpath|\${words[CURRENT]%%=*}"
    compset -P '*='
    ${fn}_values
    return
  fi
  if [[ \${words[CURRENT]} == -* ]]; then
    ${fn}_options "$cmdpath"
    _describe -t options option reply
    return
  fi
  ${fn}_commands "$cmdpath"
  if (( n == 0 && \${#reply} )); then
    _describe -t commands command reply
    return
  fi
  ${fn}_argument_choices "$cmdpath|$n"
  ${fn}_values
}

if [[ "\${funcstack[1]}" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${program}
fi
`;
}
