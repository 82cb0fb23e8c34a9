/**
 * `switchboard completion bash|zsh|fish`: the scripts are printed by the real CLI and
 * loaded into the real shells: bash completes simulated command lines (COMP_WORDS/
 * COMP_CWORD, as bash sets them on TAB), zsh completes typed lines on a pseudo-terminal
 * with its completion system, fish answers `complete -C`. zsh and fish are required
 * (Debian packages zsh and fish; .ci/run installs them).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Command, Option } from 'commander';
import { runCli } from './helpers/cli-process.ts';
import { bashComplete, fishComplete, requireShell, scriptFile, zshComplete, type Loading } from './helpers/shell-complete.ts';
import { registerClientCommands } from '../src/cli/commands.ts';
import { completionScript } from '../src/cli/completion-commands.ts';
import { completionTree } from '../src/cli/completion-tree.ts';

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

  /** The command lines both zsh and fish complete, typed as a user types them, with what each must offer (sorted). */
  const typed: readonly (readonly [string, readonly string[]])[] = [
    ['switchboard ta', ['tasks']],
    ['switchboard users c', ['create']],
    ['switchboard users create carol --', ['--help', '--json', '--password-stdin', '--role', '--token', '--url']],
    ['switchboard tasks move DEMO-1 in', ['in_progress', 'in_review']],
    ['switchboard completion ', ['bash', 'fish', 'zsh']],
    ['switchboard tasks create --status ', ['blocked', 'done', 'in_progress', 'in_review', 'todo']],
    ['switchboard --url http://127.0.0.1:9 --json sessions me', ['memory']],
    ['switchboard list --limit 5 --st', ['--state']],
    ['switchboard serve --p', ['--port']],
  ];
  const sorted = (words: readonly string[]): string[] => [...words].sort();

  for (const loading of ['source', 'autoload'] as const satisfies readonly Loading[]) {
    it(`completes commands, subcommands, options and choices in a real zsh (script ${loading === 'source' ? 'sourced' : 'on $fpath'})`, () => {
      requireShell('zsh');
      const [top, tasks, ...rest] = zshComplete(scripts['zsh'] ?? '', ['switchboard ', 'switchboard tasks ', ...typed.map(([line]) => line)], loading);
      const [bashTop, bashTasks] = bashComplete(scripts['bash'] ?? '', [['switchboard', ''], ['switchboard', 'tasks', '']]);
      assert.ok((bashTop ?? []).length > 20, 'bash lists the commands');
      assert.deepEqual(top, sorted(bashTop ?? []), 'zsh offers the same commands as bash');
      assert.deepEqual(tasks, sorted(bashTasks ?? []), 'and the same subcommands of tasks');
      typed.forEach(([line, expected], i) => assert.deepEqual(rest[i], expected, line));
    });

    it(`completes commands, subcommands, options and choices in a real fish (script ${loading === 'source' ? 'sourced' : 'in a completions folder'})`, () => {
      requireShell('fish');
      const [top, tasks, users, ...rest] = fishComplete(scripts['fish'] ?? '', ['switchboard ', 'switchboard tasks ', 'switchboard users ', ...typed.map(([line]) => line)], loading);
      const [bashTop, bashTasks] = bashComplete(scripts['bash'] ?? '', [['switchboard', ''], ['switchboard', 'tasks', '']]);
      const names = (list: readonly { name: string }[] | undefined): string[] => sorted((list ?? []).map((c) => c.name));
      assert.ok((bashTop ?? []).length > 20, 'bash lists the commands');
      assert.deepEqual(names(top), sorted(bashTop ?? []), 'fish offers the same commands as bash');
      assert.deepEqual(names(tasks), sorted(bashTasks ?? []), 'and the same subcommands of tasks');
      assert.deepEqual(users?.find((c) => c.name === 'create'), { name: 'create', description: 'Create a user' }, 'with their descriptions');
      typed.forEach(([line, expected], i) => assert.deepEqual(names(rest[i]), expected, line));
    });
  }

  it('completes the value of --option= in zsh and fish, and leaves a free argument to file names', () => {
    requireShell('zsh');
    requireShell('fish');
    const [zshValue, zshFree] = zshComplete(scripts['zsh'] ?? '', ['switchboard tasks create --priority=', 'switchboard status some-task ']);
    assert.deepEqual(zshValue, ['critical', 'high', 'low', 'medium']);
    assert.ok(zshFree?.includes('package.json'), `zsh offers file names: ${JSON.stringify(zshFree)}`);
    const [fishValue, fishFree] = fishComplete(scripts['fish'] ?? '', ['switchboard tasks create --priority=', 'switchboard status some-task ']);
    assert.deepEqual(fishValue?.map((c) => c.name), ['--priority=critical', '--priority=high', '--priority=low', '--priority=medium']);
    assert.ok(fishFree?.some((c) => c.name === 'package.json'), `fish offers file names: ${JSON.stringify(fishFree)}`);
  });

  it('gives zsh every command path with its subcommands and descriptions', () => {
    const zsh = scripts['zsh'] ?? '';
    assert.match(zsh, /^#compdef switchboard\n/);
    assert.match(zsh, /compdef _switchboard switchboard/);
    requireShell('zsh');
    const r = spawnSync('zsh', ['-n'], { input: zsh, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
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
    requireShell('fish');
    // From a file: fish refuses to read a script from the socket Node gives a child as stdin.
    const r = spawnSync('fish', ['--no-execute', scriptFile('switchboard.fish', fish)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
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
