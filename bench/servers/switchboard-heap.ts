/**
 * Switchboard under test (as servers/switchboard.ts) that reports its memory on
 * request: on SIGUSR2 it runs a full garbage collection (node --expose-gc) and writes
 * `{heap_used, external, rss}` as JSON to BENCH_HEAP_FILE. Used by the idle-connection
 * figure, where uncollected garbage would otherwise swamp the few KB measured.
 */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/load-config.ts';
import { createApp } from '../../src/app/create-app.ts';
import { announce, exitWith } from './child-common.ts';

const file = process.env['BENCH_HEAP_FILE'];
const collect = (globalThis as { gc?: () => void }).gc;
if (file === undefined || collect === undefined) throw new Error('needs BENCH_HEAP_FILE and --expose-gc');
const app = await createApp({ config: loadConfig(process.env) });
const url = await app.listen();
process.on('SIGUSR2', () => {
  collect();
  collect();
  const m = process.memoryUsage();
  writeFileSync(file, JSON.stringify({ heap_used: m.heapUsed, external: m.external, rss: m.rss, at: Date.now() }));
});
exitWith(() => app.close());
announce({ url, pid: process.pid });
