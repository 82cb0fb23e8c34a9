/**
 * (m) Memory of a Switchboard server process (resident set, read from /proc): idle,
 * with many idle SSE connections open (subscribers of tasks that wait), after many
 * echo tasks over HTTP, and again after a quiet spell, to show that what a burst of
 * tasks costs comes back (no growth that stays).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { figure, type Dialect, type Figure } from './lib/results.ts';
import { expectStatus, keepAliveAgent, requestJson } from './lib/http.ts';
import { startSwitchboard, submitEcho, waitForTask } from './lib/switchboard.ts';
import { sleep } from './lib/stats.ts';
import { heapReporting, memoryOf } from './lib/heap.ts';
import { submitMany, waitIdle } from './throughput.ts';

export interface MemorySizes {
  readonly sseConnections: number;
  readonly tasks: number;
  readonly inflight: number;
  /** Quiet time before each reading. */
  readonly settleMs: number;
  readonly timeoutMs: number;
}

/** Resident set of a process, in MB. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] === undefined ? Number.NaN : Number(m[1]) / 1024;
}

/** The server's V8 heap in use, in MB (its Prometheus metrics). */
async function heapMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^switchboard_process_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]) / 2 ** 20;
}

/** Opens an SSE stream and resolves once its headers arrived (the subscription is live); the request, to end later. */
function openIdleStream(agent: http.Agent, url: string, token: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      res.resume();
      resolve(req);
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
}

export async function memoryFigures(dialect: Dialect, sizes: MemorySizes): Promise<Figure[]> {
  // Reports its live heap after a full collection: garbage not yet collected is not growth.
  const heap = heapReporting();
  const sb = await startSwitchboard(dialect, heap.options);
  const live = async (): Promise<number> => {
    const m = await memoryOf(sb.pid, heap.file);
    return (m.heap_used + m.external) / 2 ** 20;
  };
  const agent = keepAliveAgent(64);
  const sse = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const name = '(m) server memory';
  const r = (x: number): number => Number(x.toFixed(1));
  const streams: http.ClientRequest[] = [];
  try {
    await sleep(sizes.settleMs);
    const idle = rssMb(sb.pid);
    const idleHeap = await heapMb(sb.url);

    // Subscribers of tasks that wait for an answer: open streams with nothing to send.
    const perTask = 100;
    const waiting: string[] = [];
    for (let i = 0; i < Math.ceil(sizes.sseConnections / perTask); i++) {
      waiting.push((await submitEcho(agent, sb, `waits ${i}`, { ask: 'Go on?' })).task_id);
    }
    for (let i = 0; i < sizes.sseConnections; i++) {
      const id = waiting[Math.floor(i / perTask)] ?? '';
      streams.push(await openIdleStream(sse, `${sb.url}/api/runtime/tasks/${id}/events`, sb.token));
    }
    await sleep(sizes.settleMs);
    const withSse = rssMb(sb.pid);
    for (const s of streams.splice(0)) s.destroy();
    for (const id of waiting) await requestJson(agent, 'POST', `${sb.url}/api/runtime/tasks/${id}/cancel`, { token: sb.token, body: {} });

    const activeUrl = `${sb.url}/api/runtime/tasks?state=pending,running&limit=1`;
    const runTasks = async (n: number, from: number): Promise<void> => {
      const submitted = await submitMany(n, sizes.inflight, async (i) => (await submitEcho(agent, sb, `memory task ${from + i}`)).task_id);
      const last = submitted.ids[submitted.ids.length - 1];
      if (last !== undefined) await waitForTask(agent, sb, last, sizes.timeoutMs);
      await waitIdle(async () => expectStatus(await requestJson<{ tasks: unknown[] }>(agent, 'GET', activeUrl, { token: sb.token }), 200, 'list').tasks.length > 0, sizes.timeoutMs, 50);
    };
    const liveIdle = await live();
    const half = Math.floor(sizes.tasks / 2);
    await runTasks(half, 0);
    const liveHalf = await live();
    await runTasks(sizes.tasks - half, half);
    const liveFull = await live();
    const afterTasks = rssMb(sb.pid);
    const afterTasksHeap = await heapMb(sb.url);
    await sleep(sizes.settleMs * 5);
    const settled = rssMb(sb.pid);
    const settledHeap = await heapMb(sb.url);
    return [
      figure(name, dialect, 'RSS idle (V8 heap used)', `${r(idle)} (${r(idleHeap)})`, 'MB'),
      figure(name, dialect, `RSS with ${sizes.sseConnections} idle SSE streams`, r(withSse), 'MB'),
      figure(name, dialect, 'per idle SSE stream', r(((withSse - idle) * 1024) / sizes.sseConnections), 'KB'),
      figure(name, dialect, `RSS (heap) right after ${sizes.tasks} tasks`, `${r(afterTasks)} (${r(afterTasksHeap)})`, 'MB'),
      figure(name, dialect, `RSS (heap) ${(sizes.settleMs * 5) / 1000} s later`, `${r(settled)} (${r(settledHeap)})`, 'MB'),
      // Flat from the half to the end: what tasks leave behind is bounded (the task cache), not growing.
      figure(name, dialect, `live heap after full GC: idle / ${half} / ${sizes.tasks} tasks`, `${r(liveIdle)} / ${r(liveHalf)} / ${r(liveFull)}`, 'MB'),
    ];
  } finally {
    for (const s of streams) s.destroy();
    agent.destroy();
    sse.destroy();
    await sb.stop();
    heap.remove();
  }
}
