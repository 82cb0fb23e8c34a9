/**
 * (g) Several servers on one PostgreSQL database. Throughput with 1, 2 and 3 servers
 * (echo tasks submitted round-robin over keep-alive connections to all of them;
 * submit → last completion, then every task checked: completed exactly once), and
 * the scaling of three against one. Then cross-server cancel: a task running on one
 * server is cancelled through another, timed from sending the cancel until the
 * runner reports it no longer holds the task (its /health `active_tasks`, polled).
 * Scaling needs cores: each server, PostgreSQL and the load generator want one of
 * their own, so on a 2-core machine the figure shows contention, not the design.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { TaskView } from '../src/wire/task.ts';
import { figure, type Dialect, type Figure } from './lib/results.ts';
import { makeBenchDatabase, type BenchDatabase } from './lib/database.ts';
import { childEnv, makeTempDir, spawnChild, type ChildServer } from './lib/children.ts';
import { expectStatus, keepAliveAgent, requestJson } from './lib/http.ts';
import { benchAdminToken, serverNodeArgs, submitEcho, switchboardEnv, waitForTask } from './lib/switchboard.ts';
import { verifyTasks, type TaskRow } from './lib/verify.ts';
import { nowMs, sleep, summarize } from './lib/stats.ts';
import { fileURLToPath } from 'node:url';

const SERVER_SCRIPT = fileURLToPath(new URL('./servers/switchboard.ts', import.meta.url));

export interface ClusterSizes {
  readonly tasks: number;
  /** Submits in flight, over all servers. */
  readonly inflight: number;
  /** Cross-server cancels timed. */
  readonly cancels: number;
  readonly timeoutMs: number;
}

/** Three servers' throughput at least twice one server's; cross-server cancel p99 under a second. */
const SCALING_TARGET = { op: '>=', value: 2 } as const;
const CANCEL_TARGET = { op: '<', value: 1000 } as const;

interface Node {
  readonly url: string;
  readonly nodeId: string;
  readonly child: ChildServer<{ url: string }>;
}

interface Cluster {
  readonly nodes: readonly Node[];
  readonly token: string;
  stop(): Promise<void>;
}

async function startCluster(size: number): Promise<Cluster> {
  const db: BenchDatabase = makeBenchDatabase('postgres');
  const token = benchAdminToken();
  const nodes: Node[] = [];
  const start = async (): Promise<Node> => {
    const env: Record<string, string> = { ...switchboardEnv(db, token), SWITCHBOARD_DATA_DIR: makeTempDir('switchboard-bench-node-') };
    const child = await spawnChild<{ url: string }>(SERVER_SCRIPT, childEnv(env), { nodeArgs: serverNodeArgs });
    return { url: child.info.url, nodeId: env['SWITCHBOARD_NODE_ID'] ?? '', child };
  };
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.child.stop()));
    await db.drop();
  };
  try {
    // The first migrates the schema and creates the admin; the others join.
    nodes.push(await start());
    nodes.push(...(await Promise.all(Array.from({ length: size - 1 }, start))));
    return { nodes, token, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function* allTasks(agent: http.Agent, url: string, token: string): AsyncGenerator<TaskRow> {
  let cursor: string | null = null;
  do {
    const page: { tasks: TaskView[]; next_cursor: string | null } = expectStatus(
      await requestJson(agent, 'GET', `${url}/api/runtime/tasks?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token }),
      200,
      'list',
    );
    for (const t of page.tasks) yield { id: t.task_id, state: t.state, attempt: t.attempt, finishedAt: t.finished_at === null ? null : Date.parse(t.finished_at) };
    cursor = page.next_cursor;
  } while (cursor !== null);
}

/** Tasks per second with `size` servers, and the exactly-once check. */
async function throughputWith(size: number, sizes: ClusterSizes): Promise<{ rate: number; check: string }> {
  const cluster = await startCluster(size);
  const agent = keepAliveAgent(sizes.inflight);
  try {
    const sb = (i: number) => ({ url: cluster.nodes[i % size]!.url, token: cluster.token });
    // Warm-up: every server's code paths and connections.
    const warm = await Promise.all(
      cluster.nodes.map(async (_, i) => (await waitForTask(agent, sb(i), (await submitEcho(agent, sb(i), 'warm')).task_id, sizes.timeoutMs)).task_id),
    );
    const ids: string[] = new Array<string>(sizes.tasks);
    let next = 0;
    const firstAt = nowMs();
    await Promise.all(
      Array.from({ length: sizes.inflight }, async () => {
        for (let i = next++; i < sizes.tasks; i = next++) ids[i] = (await submitEcho(agent, sb(i), `cluster task ${i}`)).task_id;
      }),
    );
    // Wait on the last of each server's submits, then check them all.
    await Promise.all(ids.slice(-size).map((id, i) => waitForTask(agent, sb(i), id, sizes.timeoutMs)));
    const deadline = Date.now() + sizes.timeoutMs;
    const check = () => verifyTasks(allTasks(agent, cluster.nodes[0]!.url, cluster.token), [...warm, ...ids], new Set(ids));
    let v = await check();
    while (v.lost > 0 && Date.now() < deadline) {
      await sleep(100);
      v = await check();
    }
    const seconds = (v.lastFinishedAt - firstAt) / 1000;
    return {
      rate: v.lost === 0 ? sizes.tasks / seconds : Number.NaN,
      check: `${v.completed - warm.length}/${v.submitted - warm.length} completed; lost ${v.lost} / duplicates ${v.duplicates} / re-run ${v.rerun}`,
    };
  } finally {
    agent.destroy();
    await cluster.stop();
  }
}

async function activeOn(agent: http.Agent, url: string): Promise<number> {
  const res = await requestJson<{ active_tasks: number }>(agent, 'GET', `${url}/health`);
  return res.body.active_tasks;
}

/** Milliseconds from sending a cancel to one server until the server running the task has let go of it. */
async function cancelLatencies(sizes: ClusterSizes): Promise<number[]> {
  const cluster = await startCluster(3);
  const agent = keepAliveAgent(16);
  try {
    const byNode = new Map(cluster.nodes.map((n) => [n.nodeId, n]));
    const samples: number[] = [];
    for (let k = 0; k < sizes.cancels; k++) {
      const via = cluster.nodes[k % 3]!;
      const task = await submitEcho(agent, { url: via.url, token: cluster.token }, `cancel me ${randomBytes(2).toString('hex')}`, { delay_ms: 600_000 });
      let runner: Node | undefined;
      while (runner === undefined) {
        const events = expectStatus(
          await requestJson<{ message: string }[]>(agent, 'GET', `${via.url}/api/runtime/tasks/${task.task_id}/events`, { token: cluster.token }),
          200,
          'events',
        );
        const started = events.find((e) => e.message.startsWith('Started on '));
        runner = started === undefined ? undefined : byNode.get(started.message.split(' ')[2] ?? '');
        if (runner === undefined) await sleep(5);
      }
      while ((await activeOn(agent, runner.url)) !== 1) await sleep(5);
      const canceller = cluster.nodes.find((n) => n !== runner)!;
      const sentAt = nowMs();
      expectStatus(await requestJson(agent, 'POST', `${canceller.url}/api/runtime/tasks/${task.task_id}/cancel`, { token: cluster.token, body: {} }), 200, 'cancel');
      const deadline = Date.now() + sizes.timeoutMs;
      while ((await activeOn(agent, runner.url)) !== 0) {
        if (Date.now() > deadline) throw new Error(`the runner still holds ${task.task_id} after ${sizes.timeoutMs} ms`);
        await sleep(1);
      }
      samples.push(nowMs() - sentAt);
    }
    return samples;
  } finally {
    agent.destroy();
    await cluster.stop();
  }
}

export async function clusterFigures(dialect: Dialect, sizes: ClusterSizes): Promise<Figure[]> {
  if (dialect !== 'postgres') return [];
  const name = '(g) several servers';
  const out: Figure[] = [];
  const rates: number[] = [];
  for (const size of [1, 2, 3]) {
    process.stderr.write(`  ${size} server(s) ...\n`);
    const { rate, check } = await throughputWith(size, sizes);
    rates.push(rate);
    out.push(figure(name, dialect, `throughput, ${size} server${size > 1 ? 's' : ''}`, Math.round(rate), 'tasks/s'));
    out.push(figure(name, dialect, `exactly once, ${size} server${size > 1 ? 's' : ''}`, check, ''));
  }
  out.push(figure(name, dialect, 'scaling: 3 servers / 1 server', Number(((rates[2] ?? Number.NaN) / (rates[0] ?? Number.NaN)).toFixed(2)), '×', SCALING_TARGET));
  out.push(figure(name, dialect, 'scaling: 2 servers / 1 server', Number(((rates[1] ?? Number.NaN) / (rates[0] ?? Number.NaN)).toFixed(2)), '×'));
  const s = summarize(await cancelLatencies(sizes));
  out.push(figure(name, dialect, `cross-server cancel → agent stopped p50 (${s.count} cancels)`, Number(s.p50.toFixed(1)), 'ms'));
  out.push(figure(name, dialect, 'cross-server cancel → agent stopped p99', Number(s.p99.toFixed(1)), 'ms', CANCEL_TARGET));
  out.push(figure(name, dialect, 'cross-server cancel → agent stopped max', Number(s.max.toFixed(1)), 'ms'));
  return out;
}
