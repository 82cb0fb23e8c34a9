#!/usr/bin/env node
// Runs every *.test.ts under test/ and src/ with Node's test runner. Node 20 does not
// find .ts tests by itself (it would exit 0 having run nothing), so we list them.
// Usage: npm test [-- file-or-substring ...]
//
// Logs: every test app writes debug logs into a fresh directory; test/log-scan.test.ts
// runs after all the others and checks that those logs hold no credential.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const LAST = 'test/log-scan.test.ts';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const filters = process.argv.slice(2);
const all = [...find(join(root, 'test')), ...find(join(root, 'src'))].sort();
const files = filters.length === 0 ? all : all.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

// The browser tests need the built web UI; `npm install` builds it, a fresh checkout may not have.
if (files.some((f) => f.startsWith('test/browser/')) && !existsSync(join(root, 'web', 'dist', 'index.html'))) {
  const built = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const logDir = process.env.SWITCHBOARD_TEST_LOG_DIR || mkdtempSync(join(tmpdir(), 'switchboard-test-logs-'));
const env = { ...process.env, SWITCHBOARD_LOG_LEVEL: process.env.SWITCHBOARD_LOG_LEVEL ?? 'silent', SWITCHBOARD_TEST_LOG_DIR: logDir };

/** Runs files with the spec reporter on the terminal and TAP into a file, for the totals. */
function run(batch, name) {
  if (batch.length === 0) return { status: 0, pass: 0, fail: 0 };
  const tap = join(logDir, `${name}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      '--enable-source-maps', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000',
      '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...batch,
    ],
    { cwd: root, stdio: 'inherit', env },
  );
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    // no TAP written: the run itself failed to start
  }
  const count = (key) => Number([...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].pop()?.[1] ?? 0);
  // Tests cancelled by a failing hook count as failed.
  return { status: result.status ?? 1, pass: count('pass'), fail: count('fail') + count('cancelled') };
}

const main = run(files.filter((f) => f !== LAST), 'main');
const last = run(files.filter((f) => f === LAST), 'log-scan');
const pass = main.pass + last.pass;
const fail = main.fail + last.fail;
console.log(`\n${pass} passed, ${fail} failed`);
if (!process.env.SWITCHBOARD_TEST_LOG_DIR_KEEP && main.status === 0 && last.status === 0) rmSync(logDir, { recursive: true, force: true });
else console.log(`test logs kept in ${logDir}`);
process.exit(main.status !== 0 ? main.status : last.status);
