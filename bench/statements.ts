/**
 * Statements per task: runs echo tasks in-process on SQLite and counts the SQLite
 * statements executed per task, by kind (the first words of the SQL), and the
 * time spent in each (a COMMIT's time is its flush to disk). A diagnostic for docs/performance.md, not one of the figures. The
 * bench's own idle checks (a `select tasks` every 5 ms) are counted too.
 *
 *   node --import tsx bench/statements.ts [tasks=2000]
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Caller } from '../src/core/domain/caller.ts';
import { startLocalSwitchboard } from './lib/switchboard.ts';
import { submitMany, waitIdle } from './throughput.ts';

const counts = new Map<string, number>();
const times = new Map<string, number>();
let counting = false;
const kindOf = (sql: string): string => {
  const s = sql.replace(/\s+/g, ' ').trim().toLowerCase();
  const m = /^(insert into|update|delete from|select .*? from|begin|commit|rollback|savepoint|release)\s*"?(\w*)"?/.exec(s);
  return m === null ? s.slice(0, 30) : `${m[1]?.startsWith('select') ? 'select' : m[1]} ${m[2] ?? ''}`.trim();
};
// Wrap every statement the store prepares: each run/get/all counts once.
const prepare = BetterSqlite3.prototype.prepare;
BetterSqlite3.prototype.prepare = function (this: BetterSqlite3.Database, sql: string) {
  const statement = prepare.call(this, sql);
  const kind = kindOf(sql);
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method].bind(statement) as (...a: unknown[]) => unknown;
    Object.defineProperty(statement, method, {
      value: (...args: unknown[]) => {
        if (!counting) return original(...args);
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        const started = process.hrtime.bigint();
        try {
          return original(...args);
        } finally {
          times.set(kind, (times.get(kind) ?? 0) + Number(process.hrtime.bigint() - started) / 1e6);
        }
      },
    });
  }
  return statement;
} as typeof prepare;

const tasks = Number(process.argv[2] ?? 2000);
const local = await startLocalSwitchboard('sqlite');
try {
  const { runtime, authenticator } = local.app;
  const caller: Caller = await authenticator.authenticate(local.token);
  const active = async (): Promise<boolean> => (await runtime.listTasks(caller, { states: ['pending', 'running'], limit: 1 })).items.length > 0;
  await submitMany(200, 64, async (i) => (await runtime.submit(caller, { agentType: 'echo', prompt: `warm ${i}` })).task.id);
  await waitIdle(active, 60_000, 5);
  counts.clear();
  counting = true;
  const started = Date.now();
  await submitMany(tasks, 256, async (i) => (await runtime.submit(caller, { agentType: 'echo', prompt: `task ${i}` })).task.id);
  await waitIdle(active, 60_000, 5);
  counting = false;
  const elapsed = Date.now() - started;
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((n, [, c]) => n + c, 0);
  const ms = [...times.values()].reduce((n, t) => n + t, 0);
  process.stdout.write(`${tasks} tasks in ${(elapsed / 1000).toFixed(2)} s: ${(total / tasks).toFixed(2)} statements and ${((ms * 1000) / tasks).toFixed(0)} µs in SQLite per task\n`);
  process.stdout.write('  per task   µs/task  statement\n');
  for (const [kind, c] of rows) process.stdout.write(`  ${(c / tasks).toFixed(3).padStart(8)}  ${(((times.get(kind) ?? 0) * 1000) / tasks).toFixed(1).padStart(8)}  ${kind}\n`);
} finally {
  await local.stop();
}
