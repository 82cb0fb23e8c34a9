/**
 * The CLI parses every answer with its endpoint's wire schema: against a server that
 * answers with a body of the wrong shape, a command prints one line naming the
 * endpoint and the first mismatched field and exits 1, with no stack trace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from './helpers/cli-process.ts';

const TASK_ID = '11111111-2222-4333-8444-555555555555';

/** What the fake server answers, by path: well-formed JSON of the wrong shape. */
const BODIES: Record<string, unknown> = {
  [`/api/runtime/tasks/${TASK_ID}/state`]: { task_id: TASK_ID, state: 'completed', attempt: 'one' },
  '/api/runtime/tasks': { tasks: [{ task_id: 42 }], next_cursor: null },
  '/api/users': { users: [{ id: 'u1', username: 7 }] },
};

describe('CLI against a server answering malformed bodies', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const body = BODIES[path];
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: { code: 'NOT_FOUND', message: 'no such route' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const cases: [string, string[], RegExp][] = [
    ['status', ['status', TASK_ID], new RegExp(`^switchboard: unexpected answer from GET /api/runtime/tasks/${TASK_ID}/state: field \\S+: .+$`)],
    ['list', ['list'], /^switchboard: unexpected answer from GET \/api\/runtime\/tasks: field tasks\[0\]\.\S+: .+$/],
    ['users list', ['users', 'list'], /^switchboard: unexpected answer from GET \/api\/users: field users\[0\]\.username: .+$/],
  ];
  for (const [name, args, line] of cases) {
    it(`${name} reports the endpoint and the first mismatched field and exits 1`, async () => {
      const r = await runCli(args, { url, token: 'sbt_test_not_checked' });
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trimEnd().split('\n');
      assert.match(lines[0] ?? '', line);
      assert.equal(lines.length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
    });
  }
});
