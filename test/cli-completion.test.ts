/**
 * `switchboard completion bash|zsh|fish`: the scripts are printed by the real CLI, and
 * the bash one is loaded into a real bash that completes simulated command lines
 * (COMP_WORDS/COMP_CWORD, as bash sets them on TAB). zsh and fish are syntax-checked
 * when installed; their content is checked against the command tree either way.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { runCli } from './helpers/cli-process.ts';
import { registerClientCommands } from '../src/cli/commands.ts';
import { completionScript } from '../src/cli/completion-commands.ts';
import { completionTree } from '../src/cli/completion-tree.ts';

const which = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** Completes each command line (words, the last one being completed) in one bash child; one reply list per line. */
function bashComplete(script: string, lines: readonly (readonly string[])[]): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'sb-completion-'));
  const file = join(dir, 'switchboard.bash');
  writeFileSync(file, script);
  const quote = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;
  const calls = lines.map((words) => `COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _switchboard; echo "\${COMPREPLY[*]}"`);
  const run = spawnSync('bash', ['--norc', '--noprofile', '-c', [`source ${quote(file)}`, ...calls].join('\n')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  return run.stdout.split('\n').slice(0, lines.length).map((l) => (l === '' ? [] : l.split(' ')));
}

describe('shell completion', () => {
  const scripts: Record<string, string> = {};
  before(async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(['completion', shell]);
      assert.equal(r.code, 0, r.stderr);
      scripts[shell] = r.stdout;
    }
  });

  it('refuses an unknown shell with a usage error', async () => {
    const r = await runCli(['completion', 'tcsh']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bash, zsh, fish/);
    assert.equal(r.stdout, '');
  });

  it('completes commands, nested subcommands, options and choices in a real bash', () => {
    const [ta, users, usersCreate, flags, column, shell, status, afterGlobals, afterValue, positional, fromServe] = bashComplete(scripts['bash'] ?? '', [
      ['switchboard', 'ta'],
      ['switchboard', 'users', ''],
      ['switchboard', 'users', 'c'],
      ['switchboard', 'users', 'create', 'carol', '--'],
      ['switchboard', 'tasks', 'move', 'DEMO-1', 'in'],
      ['switchboard', 'completion', ''],
      ['switchboard', 'tasks', 'create', '--status', ''],
      ['switchboard', '--url', 'http://127.0.0.1:9', '--json', 'sessions', 'me'],
      ['switchboard', 'list', '--limit', '5', '--st'],
      ['switchboard', 'status', 'some-task', ''],
      ['switchboard', 'serve', '--p'],
    ]);
    assert.deepEqual(ta, ['tasks']);
    assert.deepEqual(users, ['list', 'create', 'update', 'disable', 'help']);
    assert.deepEqual(usersCreate, ['create']);
    assert.deepEqual(flags?.sort(), ['--help', '--json', '--password-stdin', '--role', '--token', '--url']);
    assert.deepEqual(column, ['in_progress', 'in_review']);
    assert.deepEqual(shell, ['bash', 'zsh', 'fish']);
    assert.deepEqual(status, ['todo', 'in_progress', 'in_review', 'done', 'blocked']);
    assert.deepEqual(afterGlobals, ['memory']);
    assert.deepEqual(afterValue, ['--state']);
    assert.deepEqual(positional, [], 'a free argument is left to bash (file names)');
    assert.deepEqual(fromServe, ['--port']);
  });

  it('is generated from the command tree: a new command completes without touching the generator', () => {
    const root = new Command().name('switchboard');
    registerClientCommands(root);
    root
      .command('zebra')
      .command('stripe')
      .addOption(new Option('--colour <c>').choices(['black', 'white']));
    const [group, sub, value] = bashComplete(completionScript(root, 'bash'), [
      ['switchboard', 'ze'],
      ['switchboard', 'zebra', 's'],
      ['switchboard', 'zebra', 'stripe', '--colour', 'w'],
    ]);
    assert.deepEqual(group, ['zebra']);
    assert.deepEqual(sub, ['stripe']);
    assert.deepEqual(value, ['white']);
  });

  it('passes bash -n', () => {
    const r = spawnSync('bash', ['-n'], { input: scripts['bash'], encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('gives zsh every command path with its subcommands and descriptions', () => {
    const zsh = scripts['zsh'] ?? '';
    assert.match(zsh, /^#compdef switchboard\n/);
    assert.match(zsh, /compdef _switchboard switchboard/);
    if (which('zsh')) {
      const r = spawnSync('zsh', ['-n'], { input: zsh, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const root = new Command().name('switchboard');
    registerClientCommands(root);
    for (const node of completionTree(root)) {
      if (node.commands.length === 0) continue;
      const row = zsh.split('\n').find((l) => l.startsWith(`    '${node.path.join(' ')}') reply=('`) && l.includes(":"));
      assert.ok(row !== undefined, `zsh has the subcommands of "${node.path.join(' ')}"`);
      for (const c of node.commands) assert.ok(row.includes(`'${c.name}:`), `zsh offers ${c.name} under "${node.path.join(' ')}"`);
    }
    assert.ok(zsh.includes(`'password:Change your own password`));
  });

  it('gives fish a complete line for every subcommand, option and choice', () => {
    const fish = scripts['fish'] ?? '';
    if (which('fish')) {
      const r = spawnSync('fish', ['--no-execute'], { input: fish, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const lines = fish.split('\n');
    const root = new Command().name('switchboard');
    registerClientCommands(root);
    for (const node of completionTree(root)) {
      const at = `'__switchboard_at \\'${node.path.join(' ')}\\' 0'`;
      for (const c of node.commands) {
        assert.ok(lines.includes(`complete -c switchboard -n ${at} -f -a '${c.name}' -d ${`'${c.description.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`}`), `fish offers ${c.name} under "${node.path.join(' ')}"`);
      }
    }
    assert.ok(lines.some((l) => l.startsWith(`complete -c switchboard -n '__switchboard_in \\'tasks create\\'' -l 'status' -x -a 'todo in_progress in_review done blocked'`)));
    assert.ok(lines.some((l) => l.startsWith(`complete -c switchboard -n '__switchboard_at \\'completion\\' 0' -f -a 'bash zsh fish'`)));
  });
});
