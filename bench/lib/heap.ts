/**
 * A Switchboard server that reports its live memory: servers/switchboard-heap.ts
 * runs a full garbage collection on SIGUSR2 and writes what is left to a file, so
 * figures compare live memory, not garbage a collection would have freed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StartOptions } from './switchboard.ts';
import { sleep } from './stats.ts';

const HEAP_SCRIPT = fileURLToPath(new URL('../servers/switchboard-heap.ts', import.meta.url));

export interface Memory {
  readonly heap_used: number;
  readonly external: number;
  readonly rss: number;
  readonly at: number;
}

/** Start options for the reporting server, the file it reports to, and its removal. */
export function heapReporting(): { options: StartOptions; file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-heap-'));
  const file = join(dir, 'heap.json');
  return {
    file,
    options: { script: HEAP_SCRIPT, nodeArgs: ['--expose-gc'], env: { BENCH_HEAP_FILE: file } },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The server's memory after a full collection (it writes it to `file` on SIGUSR2). */
export async function memoryOf(pid: number, file: string): Promise<Memory> {
  const since = Date.now();
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await sleep(50);
    if (!existsSync(file)) continue;
    const m = JSON.parse(readFileSync(file, 'utf8')) as Memory;
    if (m.at >= since) return m;
  }
}
