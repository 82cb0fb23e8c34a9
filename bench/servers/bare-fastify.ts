/**
 * The baseline of the per-call overhead figure: a bare Fastify route at the same
 * path returning a fixed copy of the same task JSON (BENCH_BODY), no auth, no store.
 */
import Fastify from 'fastify';
import { announce, exitWith } from './child-common.ts';

const body = JSON.parse(process.env['BENCH_BODY'] ?? '{}') as Record<string, unknown>;
const app = Fastify({ logger: false });
app.get('/api/runtime/tasks/:task_id/state', async () => body);
const url = await app.listen({ port: 0, host: '127.0.0.1' });
exitWith(() => app.close());
announce({ url, pid: process.pid });
