/**
 * (c) Per-call overhead: the authenticated, permission-checked
 * GET /api/runtime/tasks/{id}/state of Switchboard against a bare Fastify route
 * (its own process) returning a fixed copy of the same JSON. Same client
 * (autocannon), same connections and duration, one after the other in the same run.
 */
import { fileURLToPath } from 'node:url';
import { figure, TARGETS, type Dialect, type Figure, type Target } from './lib/results.ts';
import { expectStatus, keepAliveAgent, requestJson } from './lib/http.ts';
import { startSwitchboard, submitEcho, waitForTask } from './lib/switchboard.ts';
import { childEnv, spawnChild } from './lib/children.ts';
import { runAutocannon, type AutocannonResult } from './lib/autocannon.ts';

export const BARE_SCRIPT = fileURLToPath(new URL('./servers/bare-fastify.ts', import.meta.url));

export interface OverheadSizes {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
}

export interface Measured extends AutocannonResult {
  /** CPU used by this (client) process during the run, as % of one core: near 100 means the client was the limit. */
  readonly clientCpu: number;
}

/** A warm-up run, then the measured run; throws on any error, non-2xx or timeout. */
export async function measure(url: string, headers: Record<string, string>, sizes: OverheadSizes): Promise<Measured> {
  await runAutocannon({ url, headers, connections: sizes.connections, duration: sizes.warmupSeconds });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const run = await runAutocannon({ url, headers, connections: sizes.connections, duration: sizes.seconds });
  const used = process.cpuUsage(cpu);
  const result = { ...run, clientCpu: ((used.user + used.system) / 1000 / (performance.now() - started)) * 100 };
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  return result;
}

export const rps = (r: AutocannonResult): number => r.latency.totalCount / r.duration;

export async function overheadHttp(dialect: Dialect, sizes: OverheadSizes): Promise<Figure[]> {
  const sb = await startSwitchboard(dialect);
  const agent = keepAliveAgent(4);
  try {
    const task = await submitEcho(agent, sb, 'overhead task');
    await waitForTask(agent, sb, task.task_id);
    const path = `/api/runtime/tasks/${task.task_id}/state`;
    const body = expectStatus(await requestJson(agent, 'GET', sb.url + path, { token: sb.token }), 200, 'state');
    const bare = await spawnChild<{ url: string }>(BARE_SCRIPT, childEnv({ BENCH_BODY: JSON.stringify(body) }));
    try {
      const check = await requestJson(agent, 'GET', bare.info.url + path);
      if (JSON.stringify(check.body) !== JSON.stringify(body)) throw new Error('the bare server does not return the same JSON');
      const sw = await measure(sb.url + path, { authorization: `Bearer ${sb.token}` }, sizes);
      const base = await measure(bare.info.url + path, {}, sizes);
      return comparisonFigures('(c) per-call overhead', dialect, sizes, { sw, base, body, target: TARGETS.perCallRatio });
    } finally {
      await bare.stop();
    }
  } finally {
    agent.destroy();
    await sb.stop();
  }
}

/** The rows of a Switchboard-vs-bare comparison (figures c and c2). */
export function comparisonFigures(
  name: string,
  dialect: Dialect,
  sizes: OverheadSizes,
  m: { readonly sw: Measured; readonly base: Measured; readonly body: unknown; readonly target: Target; readonly what?: string },
): Figure[] {
  const { sw, base } = m;
  // autocannon records whole milliseconds; the mean from Little's law (connections ÷ req/s) is finer.
  const l = (r: AutocannonResult): string => `${((sizes.connections / rps(r)) * 1000).toFixed(2)} / ${r.latency.p50} / ${r.latency.p99}`;
  const how = `${sizes.connections} conns, ${sizes.seconds} s`;
  return [
    figure(name, dialect, `Switchboard ${m.what ?? 'GET state'} (${how})`, Math.round(rps(sw)), 'req/s'),
    figure(name, dialect, 'bare Fastify same JSON', Math.round(rps(base)), 'req/s'),
    figure(name, dialect, 'ratio Switchboard / bare', Number((rps(sw) / rps(base)).toFixed(2)), '×', m.target),
    figure(name, dialect, 'Switchboard latency mean* / p50 / p99', l(sw), 'ms'),
    figure(name, dialect, 'bare latency mean* / p50 / p99', l(base), 'ms'),
    figure(name, dialect, 'client cpu Switchboard / bare', `${Math.round(sw.clientCpu)} / ${Math.round(base.clientCpu)}`, '% of a core'),
    figure(name, dialect, 'response size', JSON.stringify(m.body).length, 'bytes'),
    figure(name, dialect, '* mean = conns ÷ req/s; p50/p99 in whole ms', '', ''),
  ];
}
