/** Command agents run real child processes; cancel kills the whole process group, even a stubborn one. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createCommandAgent } from '../src/agents/command/command-agent.ts';
import { adminCaller, startTestEngine, waitForTaskState } from './helpers/test-engine.ts';
import { waitFor } from './helpers/wait.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('command agents', () => {
  it('streams stdout lines as output events and completes with the output', async () => {
    const agent = createCommandAgent({ id: 'lines', command: [process.execPath, fixture('line-agent.mjs')], promptVia: 'stdin' });
    const t = await startTestEngine('sqlite', [agent]);
    const { task } = await t.engine.submit(adminCaller, { agentType: 'lines', prompt: 'alpha beta gamma' });
    const done = await waitForTaskState(t.store, task.id, ['completed', 'failed']);
    assert.equal(done.state, 'completed', done.error ?? '');
    assert.equal(done.result, 'alpha\nbeta\ngamma\n');
    const outputs = (await t.store.tasks.listEvents(task.id, 0, 100)).filter((e) => e.type === 'output').map((e) => e.message);
    assert.deepEqual(outputs, ['alpha', 'beta', 'gamma']);
    await t.close();
  });

  it('fails with the exit code and the stderr tail when the program fails', async () => {
    const agent = createCommandAgent({ id: 'lines', command: [process.execPath, fixture('line-agent.mjs')], promptVia: 'stdin' });
    const t = await startTestEngine('sqlite', [agent]);
    const { task } = await t.engine.submit(adminCaller, { agentType: 'lines', prompt: 'fail now' });
    const done = await waitForTaskState(t.store, task.id, ['completed', 'failed']);
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', /exited with code 3: something went wrong/);
    await t.close();
  });

  it('fails clearly when the program does not exist', async () => {
    const agent = createCommandAgent({ id: 'ghost', command: ['/nonexistent/agent-binary'], promptVia: 'arg' });
    const t = await startTestEngine('sqlite', [agent]);
    const { task } = await t.engine.submit(adminCaller, { agentType: 'ghost', prompt: 'x' });
    const done = await waitForTaskState(t.store, task.id, ['completed', 'failed']);
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', /Could not start \/nonexistent\/agent-binary/);
    await t.close();
  });

  it('passes the prompt as one argument, never through a shell', async () => {
    const agent = createCommandAgent({
      id: 'argv',
      command: [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))'],
      promptVia: 'arg',
    });
    const t = await startTestEngine('sqlite', [agent]);
    const hostile = '$(touch /tmp/pwned); `id` && echo hi; --upload-pack=evil';
    const { task } = await t.engine.submit(adminCaller, { agentType: 'argv', prompt: hostile });
    const done = await waitForTaskState(t.store, task.id, ['completed', 'failed']);
    assert.deepEqual(JSON.parse(String(done.result)), [hostile]);
    await t.close();
  });

  it('kills the process group on cancel, including a child that ignores SIGTERM and its grandchild', async () => {
    const agent = createCommandAgent({
      id: 'stubborn',
      command: [process.execPath, fixture('stubborn-agent.mjs')],
      promptVia: 'stdin',
      killGraceMs: 300,
    });
    const t = await startTestEngine('sqlite', [agent]);
    const { task } = await t.engine.submit(adminCaller, { agentType: 'stubborn', prompt: 'x' });
    const pids = await waitFor(async () => {
      const events = await t.store.tasks.listEvents(task.id, 0, 100);
      const first = events.find((e) => e.type === 'output');
      return first?.message ? (JSON.parse(first.message) as { pid: number; grandchild: number }) : undefined;
    }, 'the agent to report its pids');
    assert.ok(isAlive(pids.pid) && isAlive(pids.grandchild));
    const cancelled = await t.engine.cancel(adminCaller, task.id);
    assert.equal(cancelled.state, 'cancelled');
    await waitFor(() => !isAlive(pids.pid) && !isAlive(pids.grandchild), 'the process group to be gone');
    await t.close();
  });
});
