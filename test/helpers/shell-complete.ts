/**
 * Completion scripts run by the real shells: each helper loads a generated script into
 * bash, zsh or fish and returns what the shell completes for each command line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** How the script reaches the shell: sourced, or found where the README says to save it (zsh's $fpath, fish's completions folder). */
export type Loading = 'source' | 'autoload';

/** Fails, naming the Debian package, when a shell is missing (.ci/run installs zsh and fish). */
export function requireShell(name: 'bash' | 'zsh' | 'fish'): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  assert.ok(found, `${name} is not installed: the completion tests need the Debian package "${name}" (apt-get install ${name})`);
}

/** Writes a script as `name` in a fresh temporary folder; returns its path. */
export function scriptFile(name: string, script: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-completion-')), name);
  writeFileSync(file, script);
  return file;
}

/** Completes each command line (words, the last one being completed) in one bash child; one reply list per line. */
export function bashComplete(script: string, lines: readonly (readonly string[])[]): string[][] {
  const file = scriptFile('switchboard.bash', script);
  const quote = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;
  const calls = lines.map((words) => `COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _switchboard; echo "\${COMPREPLY[*]}"`);
  const run = spawnSync('bash', ['--norc', '--noprofile', '-c', [`source ${quote(file)}`, ...calls].join('\n')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  return run.stdout.split('\n').slice(0, lines.length).map((l) => (l === '' ? [] : l.split(' ')));
}

/** A child shell's run, failed with its output when it did not finish cleanly. */
function ran(shell: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync(shell, args, { encoding: 'utf8', timeout: 60_000, env });
  assert.equal(run.error, undefined, `${shell}: ${String(run.error)}\n${run.stdout}`);
  assert.equal(run.status, 0, `${shell} exited with ${run.status}: ${run.stderr}\n${run.stdout}`);
  assert.equal(run.stderr, '', `${shell} wrote to stderr`);
  return run.stdout;
}

/**
 * Completes each command line (as typed, the cursor at its end) in a real interactive zsh
 * on a pseudo-terminal, with compinit's completion system; one sorted match list per line.
 */
export function zshComplete(script: string, lines: readonly string[], loading: Loading = 'source'): string[][] {
  const file = scriptFile('_switchboard', script);
  const dir = dirname(file);
  const out = ran('zsh', ['-f', join(HERE, 'zsh-complete.zsh'), loading === 'source' ? 'source' : 'fpath', loading === 'source' ? file : dir, ...lines]);
  // Terminal output: drop carriage returns and escape sequences before reading it.
  const parts = out.replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('<<LINE>>');
  assert.equal(parts.length, lines.length + 2, `zsh answered every line: ${out}`);
  parts.slice(0, -1).forEach((part, i) => {
    // zsh reports an error as "<file or function>:<line>: <message>".
    assert.doesNotMatch(part, /[\w./-]+:\d+: /, i === 0 ? 'loading the script printed an error' : `completing "${lines[i - 1]}" printed an error`);
  });
  return parts.slice(1, -1).map((part) => [...new Set([...part.matchAll(/<<M:(.*?)>>/g)].map((m) => m[1] ?? ''))].sort());
}

/** One fish completion: the word and its description. */
export interface FishCompletion {
  readonly name: string;
  readonly description: string;
}

/** Completes each command line (as typed, the cursor at its end) in one fish child (`complete -C`); one list per line, in fish's order. */
export function fishComplete(script: string, lines: readonly string[], loading: Loading = 'source'): FishCompletion[][] {
  const file = scriptFile('switchboard.fish', script);
  const dir = dirname(file);
  // fish autoloads the completions of a command only when it exists: a stand-in on PATH.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'switchboard'), '#!/bin/sh\n');
  chmodSync(join(bin, 'switchboard'), 0o755);
  const load = loading === 'source' ? 'source $argv[1]' : 'set fish_complete_path (dirname $argv[1]) $fish_complete_path';
  const body = `${load}; for line in $argv[2..]; complete -C $line; echo '<<LINE>>'; end`;
  const out = ran('fish', ['--no-config', '-c', body, file, ...lines], { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` });
  const parts = out.split('<<LINE>>\n');
  assert.equal(parts.length, lines.length + 1, `fish answered every line: ${out}`);
  return parts.slice(0, -1).map((part) =>
    part
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [name = '', description = ''] = l.split('\t');
        return { name, description };
      }),
  );
}
