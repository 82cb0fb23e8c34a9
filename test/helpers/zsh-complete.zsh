# Completes command lines in a real interactive zsh, on a pseudo-terminal (zsh/zpty), the way
# TAB does: compinit, the completion script, then each line typed and completed with
# complete-word. compadd is wrapped to print each match it adds (after zsh's own matching
# against the word being completed) as <<M:match>>. Prints what loading printed, then each
# line's output, each ending with <<LINE>>.
#   zsh -f zsh-complete.zsh source FILE 'line 1' 'line 2' …   (the script sourced after compinit)
#   zsh -f zsh-complete.zsh fpath DIR 'line 1' …              (DIR/_name found by compinit on $fpath)
zmodload zsh/zpty || exit 3
zpty shell zsh -f -i
case $1 in
  source) zpty -w shell "autoload -U compinit && compinit -u -D && source ${(q)2}" ;;
  fpath) zpty -w shell "fpath=(${(q)2} \$fpath) && autoload -U compinit && compinit -u -D" ;;
  *) print -u2 "unknown mode $1"; exit 2 ;;
esac
shift 2
# Internal queries (-O, -A, -D) pass through; every other call adds its matches and prints them.
zpty -w shell 'compadd() { if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi; local -a m; local x; builtin compadd -O m "$@"; for x in $m; do print -r -- "<<M:$x>>"; done; builtin compadd "$@"; }'
# ^T completes and then marks the end (spelled apart here so the echoed definition does not match).
zpty -w shell '_sb_complete() { zle complete-word; print -r -- "<<DO""NE>>"; }; zle -N _sb_complete; bindkey "^T" _sb_complete; unsetopt auto_list; print -r -- "<<DO""NE>>"'
read_done() {
  out=
  while [[ $out != *'<<DONE>>'* ]] && zpty -r shell chunk; do out+=$chunk; done
}
read_done
# What loading printed (errors, if any), then each line's.
print -rn -- "${out%%'<<DONE>>'*}<<LINE>>"
for line in "$@"; do
  zpty -w -n shell "$line"$'\x14'
  read_done
  print -rn -- "${out%%'<<DONE>>'*}<<LINE>>"
  # ^U: clear the line for the next one.
  zpty -w -n shell $'\x15'
done
zpty -d shell
