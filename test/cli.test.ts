/**
 * The `switchboard` client commands end to end: the real CLI as a child process
 * against a real server (SQLite), asserting on stdout, stderr and exit codes.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { cliHome, finished, runCli, spawnCli, type CliOptions, type CliResult } from './helpers/cli-process.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const STACK_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

/** Resolves with the first match of `pattern` on the child's stdout; rejects if it exits first. */
function waitForStdout(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer | string): void => {
      seen += d.toString();
      const m = seen.match(pattern);
      if (m !== null) {
        child.stdout.off('data', onData);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.once('close', () => reject(new Error(`exited before printing ${pattern}; stdout:\n${seen}`)));
  });
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address !== 'string');
  return address.port;
}

/** The `#seq` numbers of the plain event lines, in order. */
const seqsOf = (stdout: string): number[] => [...stdout.matchAll(/^\[[^\]]+\] #(\d+) /gm)].map((m) => Number(m[1]));

describe('switchboard CLI (client commands)', { concurrency: 4 }, () => {
  let t: TestApp;
  let asAdmin: CliOptions;
  const cli = (args: readonly string[], input?: string, extraEnv: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, { ...asAdmin, env: extraEnv, stdin: input });

  before(async () => {
    t = await startTestApp('sqlite');
    asAdmin = { url: t.url, token: t.adminToken, home: cliHome() };
  });
  after(async () => {
    await t.close();
  });

  it('submit prints the new task id', async () => {
    const r = await cli(['submit', 'echo', 'hello', 'world']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), new RegExp(`^${UUID.source}$`));
    const state = await t.request(`/api/runtime/tasks/${r.stdout.trim()}/state`);
    assert.equal(((await state.json()) as { prompt: string }).prompt, 'hello world');
  });

  it('submit --follow on echo completes with exit 0 and prints the result', async () => {
    const r = await cli(['submit', 'echo', 'hi there', '--follow']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /completed/);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'hi there');
  });

  it('reads the prompt from stdin when it is -', async () => {
    const r = await cli(['submit', 'echo', '-', '-f'], 'from stdin\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'from stdin');
  });

  it('submit --follow of a failing task exits 1 and shows the error', async () => {
    const r = await cli(['submit', 'echo', 'hi', '--follow', '--context', '{"fail":"boom"}']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed: boom/);
  });

  it('shows one progress line per event when stdout is not a terminal', async () => {
    const r = await cli(['submit', 'echo', 'slow', '-f', '--context', '{"delay_ms":600}']);
    assert.equal(r.code, 0, r.stderr);
    const progress = r.stdout.split('\n').filter((l) => / running +progress \d+% /.test(l));
    assert.ok(progress.length >= 2, r.stdout);
    assert.match(r.stdout, /progress 100% 600\/600 ms/);
    const seqs = seqsOf(r.stdout);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'every event once, in order');
  });

  it('--json --follow prints NDJSON: every event, then the final task', async () => {
    const r = await cli(['--json', 'submit', 'echo', 'as json', '-f']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.length >= 3);
    assert.equal(lines[0]?.['event_type'], 'state_change');
    const last = lines.at(-1);
    assert.equal(last?.['state'], 'completed');
    assert.equal(last?.['result'], 'as json');
  });

  it('watch of a completed task replays its events and exits 0', async () => {
    const first = await cli(['submit', 'echo', 'replay me', '-f']);
    const id = first.stdout.match(UUID)?.[0];
    assert.ok(id !== undefined, first.stdout);
    const r = await cli(['watch', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(seqsOf(r.stdout)[0], 1, 'the history starts at the first event');
    assert.match(r.stdout, /#\d+ completed/);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'replay me');
  });

  it('watch of a failed task exits 1', async () => {
    const sub = await cli(['submit', 'echo', 'x', '--context', '{"fail":"nope"}']);
    const r = await cli(['watch', sub.stdout.trim()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed: nope/);
  });

  it('cancel of a completed task exits 1 with a clear message', async () => {
    const done = await cli(['submit', 'echo', 'done', '-f']);
    const id = done.stdout.match(UUID)?.[0] ?? '';
    const r = await cli(['cancel', id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot cancel task ${id}: it has already finished \\(completed\\) \\(TASK_TERMINAL\\)`));
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  it('cancel of a running task stops it and its follower exits 1', async () => {
    const follower = spawnCli(['submit', 'echo', 'long', '-f', '--context', '{"delay_ms":60000}'], asAdmin);
    const output = finished(follower);
    const [, id] = await waitForStdout(follower, new RegExp(`Submitted task (${UUID.source})`));
    const r = await cli(['cancel', id ?? '']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Cancelled task/);
    const f = await output;
    assert.equal(f.code, 1);
    assert.match(f.stderr, /was cancelled/);
  });

  it('answer resumes a waiting task; its follower exits 0 with the answer in the result', async () => {
    const follower = spawnCli(['submit', 'echo', 'q', '--context', '{"ask":"color?"}', '--follow'], asAdmin);
    const output = finished(follower);
    const [, id] = await waitForStdout(follower, new RegExp(`switchboard answer (${UUID.source}) "\\.\\.\\."`));
    const r = await cli(['answer', id ?? '', 'blue']);
    assert.equal(r.code, 0, r.stderr);
    const f = await output;
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /\? color\?/);
    assert.match(f.stdout, /"answer": "blue"/);
  });

  it('answer of a task that is not waiting exits 1 and says so', async () => {
    const sub = await cli(['submit', 'echo', 'done', '-f']);
    const r = await cli(['answer', sub.stdout.match(UUID)?.[0] ?? '', 'late']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not waiting for an answer \(it is completed\) \(TASK_NOT_WAITING\)/);
  });

  it('status --json parses and status alone is a readable summary', async () => {
    const id = (await cli(['submit', 'echo', 'stat', '-f'])).stdout.match(UUID)?.[0] ?? '';
    const j = await cli(['status', id, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const task = JSON.parse(j.stdout) as { task_id: string; state: string; result: unknown };
    assert.deepEqual([task.task_id, task.state, task.result], [id, 'completed', 'stat']);
    const h = await cli(['status', id]);
    assert.match(h.stdout, /^State\s+completed/m);
    assert.match(h.stdout, /Result:\nstat/);
  });

  it('status of an unknown task is a clean error', async () => {
    const r = await cli(['status', '00000000-0000-4000-8000-000000000000']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^switchboard: .+ \(TASK_NOT_FOUND\)$/m);
  });

  it('list shows a table, and --all --json walks every page', async () => {
    await cli(['submit', 'echo', 'one']);
    await cli(['submit', 'echo', 'two']);
    const table = await cli(['list', '--agent', 'echo']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^TASK ID\s+AGENT\s+STATE/);
    const all = await cli(['list', '--all', '--limit', '1', '--json']);
    const page = JSON.parse(all.stdout) as { tasks: { task_id: string }[]; next_cursor: string | null };
    assert.ok(page.tasks.length >= 2);
    assert.equal(new Set(page.tasks.map((x) => x.task_id)).size, page.tasks.length, 'no task twice');
    assert.equal(page.next_cursor, null);
    const one = await cli(['list', '--limit', '1']);
    assert.match(one.stderr, /more tasks: switchboard list --cursor /);
  });

  it('agents --json parses and contains echo', async () => {
    const r = await cli(['agents', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const agents = JSON.parse(r.stdout) as { agent_type: string }[];
    assert.ok(agents.some((a) => a.agent_type === 'echo'));
  });

  it('a bad token exits 1, mentions the credential and never echoes the token', async () => {
    const bad = 'sbt_not_a_real_token_0123456789';
    const ways: { args: string[]; env: Record<string, string> }[] = [
      { args: ['agents'], env: { SWITCHBOARD_TOKEN: bad } },
      { args: ['--token', bad, 'agents'], env: {} },
    ];
    for (const how of ways) {
      const r = await cli(how.args, undefined, how.env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /credential/i);
      assert.ok(!r.stderr.includes(bad) && !r.stdout.includes(bad), 'the token is not printed');
      assert.doesNotMatch(r.stderr, STACK_LINE);
    }
  });

  it('a flag beats the environment (--url over SWITCHBOARD_URL)', async () => {
    const r = await cli(['agents', '--json'], undefined, { SWITCHBOARD_URL: `http://127.0.0.1:${await closedPort()}` });
    assert.equal(r.code, 1);
    const ok = await cli(['--url', t.url, 'agents', '--json'], undefined, { SWITCHBOARD_URL: `http://127.0.0.1:${await closedPort()}` });
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('uses the config file when flags and environment say nothing, and warns when others can read it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ url: t.url, token: t.adminToken }));
    const cfgEnv: CliOptions = { home: cliHome(), env: { SWITCHBOARD_CLI_CONFIG: file } };
    chmodSync(file, 0o644);
    const loose = await finished(spawnCli(['agents', '--json'], cfgEnv));
    assert.equal(loose.code, 0, loose.stderr);
    assert.match(loose.stderr, /readable by other users; run: chmod 600/);
    chmodSync(file, 0o600);
    const tight = await finished(spawnCli(['agents', '--json'], cfgEnv));
    assert.equal(tight.code, 0, tight.stderr);
    assert.equal(tight.stderr, '');
  });

  it('an unreachable server gives a clear message naming the URL, without a stack trace', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await cli(['--url', url, 'status', '00000000-0000-4000-8000-000000000000']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot reach the server at ${url} \\(connection refused\\)`));
    assert.match(r.stderr, /npm start/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  it('usage errors exit 2 (bad option value, bad context JSON, missing argument)', async () => {
    for (const args of [['list', '--limit', 'x'], ['submit', 'echo', 'hi', '--context', '{nope'], ['submit']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, STACK_LINE);
    }
  });

  it('resumes a dropped event stream with Last-Event-ID, showing every event once', async () => {
    const proxy = await startDroppingProxy(t.url);
    try {
      const r = await cli(['submit', 'echo', 'resume', '-f', '--context', '{"delay_ms":400}'], undefined, { SWITCHBOARD_URL: proxy.url });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /event stream lost .*reconnecting/);
      assert.ok(proxy.lastEventIds.length >= 2, 'it reconnected');
      assert.equal(proxy.lastEventIds[0], undefined);
      assert.ok(Number(proxy.lastEventIds[1]) >= 1, `resumed after seq ${proxy.lastEventIds[1]}`);
      const seqs = seqsOf(r.stdout);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'no gap, no duplicate');
      assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'resume');
    } finally {
      await proxy.close();
    }
  });
});

/**
 * A reverse proxy that cuts the first event stream right after its first event:
 * what a flaky network or a restarted load balancer does to a follower.
 */
async function startDroppingProxy(target: string): Promise<{ url: string; lastEventIds: (string | undefined)[]; close(): Promise<void> }> {
  const lastEventIds: (string | undefined)[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers.set(k, v);
    const isEvents = req.url?.endsWith('/events') === true;
    if (isEvents) lastEventIds.push(req.headers['last-event-id'] as string | undefined);
    const upstream = await fetch(target + (req.url ?? '/'), {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    const drop = isEvents && lastEventIds.length === 1;
    if (upstream.body === null) return void res.end();
    for await (const chunk of upstream.body) {
      res.write(chunk);
      if (drop && Buffer.from(chunk).toString().includes('id: ')) {
        res.socket?.end(); // flushes what was written, then closes mid-body: the client sees a cut stream
        return;
      }
    }
    res.end();
  };
  const server = createHttpServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address !== 'string');
  return {
    url: `http://127.0.0.1:${address.port}`,
    lastEventIds,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
