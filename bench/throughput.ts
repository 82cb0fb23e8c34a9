/**
 * (a) End-to-end throughput, submit → completed, with the echo agent: over HTTP
 * against a Switchboard child process (keep-alive client, a fixed number of
 * requests in flight), and in-process (runtime.submit in this process). Measured
 * from the first submit to the last task's finished_at; then every task is listed
 * to check that each submitted task completed exactly once.
 */
import type { Caller } from '../src/core/domain/caller.ts';
import type { Task } from '../src/core/domain/task.ts';
import type { TaskView } from '../src/wire/task.ts';
import { figure, TARGETS, type Dialect, type Figure } from './lib/results.ts';
import { expectStatus, keepAliveAgent, requestJson } from './lib/http.ts';
import { commitFigures, commitStats, parseCommitStats, startLocalSwitchboard, startSwitchboard, submitEcho, waitForTask } from './lib/switchboard.ts';
import { verifyTasks, type TaskRow, type Verification } from './lib/verify.ts';
import { nowMs, sleep } from './lib/stats.ts';

export interface ThroughputSizes {
  readonly tasks: number;
  readonly warmup: number;
  /** HTTP requests in flight. */
  readonly inflight: number;
  /** In-process submits in flight. */
  readonly window: number;
  readonly timeoutMs: number;
}

const ACTIVE = ['pending', 'planning', 'running', 'waiting'] as const;

interface Submitted {
  readonly ids: string[];
  readonly firstAt: number;
  readonly lastAckAt: number;
}

/** Submits `n` tasks with `inflight` submits outstanding at any time. */
export async function submitMany(n: number, inflight: number, submitOne: (i: number) => Promise<string>): Promise<Submitted> {
  const ids: string[] = new Array<string>(n);
  let next = 0;
  const firstAt = nowMs();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) ids[i] = await submitOne(i);
  };
  await Promise.all(Array.from({ length: Math.min(inflight, n) }, worker));
  return { ids, firstAt, lastAckAt: nowMs() };
}

export async function waitIdle(hasActive: () => Promise<boolean>, timeoutMs: number, intervalMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await hasActive())) return true;
    await sleep(intervalMs);
  }
  return false;
}

function figures(name: string, dialect: Dialect, tasks: number, s: Submitted, v: Verification, idle: boolean): Figure[] {
  const seconds = (v.lastFinishedAt - s.firstAt) / 1000;
  const rate = v.lost === 0 && idle ? tasks / seconds : Number.NaN; // n/a unless every task completed
  const http = name.includes('HTTP');
  const target = dialect === 'sqlite' ? (http ? TARGETS.httpSqlite : TARGETS.inProcessSqlite) : http ? TARGETS.httpPostgres : TARGETS.inProcessPostgres;
  const others = Object.entries(v.otherStates).map(([k, n]) => `${k}:${n}`).join(' ');
  return [
    figure(name, dialect, 'throughput submit→completed', Math.round(rate), 'tasks/s', target),
    figure(name, dialect, 'submit acks', Math.round(tasks / ((s.lastAckAt - s.firstAt) / 1000)), 'tasks/s'),
    figure(name, dialect, 'first submit → last completion', Number(seconds.toFixed(2)), 's'),
    figure(name, dialect, 'completed / submitted', `${v.completed}/${v.submitted}`, 'tasks'),
    figure(name, dialect, 'lost / duplicates / re-run', `${v.lost} / ${v.duplicates} / ${v.rerun}`, 'tasks'),
    ...(others ? [figure(name, dialect, 'not completed', others, 'tasks')] : []),
  ];
}

export async function throughputHttp(dialect: Dialect, sizes: ThroughputSizes): Promise<Figure[]> {
  const sb = await startSwitchboard(dialect);
  const agent = keepAliveAgent(sizes.inflight);
  try {
    const submitOne = async (i: number): Promise<string> => (await submitEcho(agent, sb, `bench task ${i}`)).task_id;
    const warm = await submitMany(sizes.warmup, sizes.inflight, (i) => submitOne(-1 - i));
    const lastWarm = warm.ids[warm.ids.length - 1];
    if (lastWarm !== undefined) await waitForTask(agent, sb, lastWarm, sizes.timeoutMs);

    const main = await submitMany(sizes.tasks, sizes.inflight, submitOne);
    // The last submitted task is about the last to finish (claims go oldest first): follow
    // it cheaply by id, then make sure nothing is active any more.
    const last = main.ids[main.ids.length - 1];
    if (last !== undefined) await waitForTask(agent, sb, last, sizes.timeoutMs).catch(() => undefined);
    const activeUrl = `${sb.url}/api/runtime/tasks?state=${ACTIVE.join(',')}&limit=1`;
    const idle = await waitIdle(
      async () => expectStatus(await requestJson<{ tasks: unknown[] }>(agent, 'GET', activeUrl, { token: sb.token }), 200, 'list').tasks.length > 0,
      sizes.timeoutMs,
      50,
    );
    async function* rows(): AsyncGenerator<TaskRow> {
      let cursor: string | null = null;
      do {
        const url: string = `${sb.url}/api/runtime/tasks?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = expectStatus(await requestJson<{ tasks: TaskView[]; next_cursor: string | null }>(agent, 'GET', url, { token: sb.token }), 200, 'list');
        for (const t of page.tasks) {
          yield { id: t.task_id, state: t.state, attempt: t.attempt, finishedAt: t.finished_at === null ? null : Date.parse(t.finished_at) };
        }
        cursor = page.next_cursor;
      } while (cursor !== null);
    }
    const v = await verifyTasks(rows(), [...warm.ids, ...main.ids], new Set(main.ids));
    const commits = await commitStats(agent, sb.url).catch(() => undefined);
    return [...figures('(a) throughput HTTP', dialect, sizes.tasks, main, v, idle), ...commitFigures('(a) throughput HTTP', dialect, commits)];
  } finally {
    agent.destroy();
    await sb.stop();
  }
}

export async function throughputInProcess(dialect: Dialect, sizes: ThroughputSizes): Promise<Figure[]> {
  const local = await startLocalSwitchboard(dialect);
  try {
    const { runtime, authenticator } = local.app;
    const caller: Caller = await authenticator.authenticate(local.token);
    const submitOne = async (i: number): Promise<string> =>
      (await runtime.submit(caller, { agentType: 'echo', prompt: `bench task ${i}` })).task.id;
    const hasActive = async (): Promise<boolean> =>
      (await runtime.listTasks(caller, { states: [...ACTIVE], limit: 1 })).items.length > 0;
    const warm = await submitMany(sizes.warmup, sizes.window, (i) => submitOne(-1 - i));
    await waitIdle(hasActive, sizes.timeoutMs, 5);

    const main = await submitMany(sizes.tasks, sizes.window, submitOne);
    const idle = await waitIdle(hasActive, sizes.timeoutMs, 5);
    async function* rows(): AsyncGenerator<TaskRow> {
      let cursor: string | undefined;
      do {
        const page = await runtime.listTasks(caller, { limit: 500, ...(cursor !== undefined ? { cursor } : {}) });
        for (const t of page.items as readonly Task[]) yield { id: t.id, state: t.state, attempt: t.attempt, finishedAt: t.finishedAt };
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    }
    const v = await verifyTasks(rows(), [...warm.ids, ...main.ids], new Set(main.ids));
    const metrics = await local.app.http.inject({ method: 'GET', url: '/metrics' });
    const name = '(a) throughput in-process';
    return [...figures(name, dialect, sizes.tasks, main, v, idle), ...commitFigures(name, dialect, parseCommitStats(metrics.body))];
  } finally {
    await local.stop();
  }
}
