/** `switchboard inbox`, `events`, `list` filters, `devices show` and `logout --json` as child processes against a real server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';
import { eventsOf, submit, waitForState } from './helpers/api.ts';

for (const dialect of DIALECTS) {
  describe(`runtime CLI on ${dialect}`, () => {
    let t: TestApp;
    let dev: { userId: string; token: string };
    before(async () => {
      t = await startTestApp(dialect);
      dev = await t.createUser('dana', ['developer']);
    });
    after(async () => t.close());

    it('inbox lists the question waiting for its owner, and nothing for someone else', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'pick one', context: { ask: 'Which colour?' } }, { token: dev.token });
      await waitForState(t, task.task_id, ['waiting']);
      const [text, json, admin] = await Promise.all([
        cli(t, ['inbox'], { token: dev.token }),
        cli(t, ['inbox', '--json', '--limit', '5'], { token: dev.token }),
        cli(t, ['inbox']),
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`${task.task_id}\\s+echo\\s+answer\\s+\\S+\\s+Which colour\\?\\s+switchboard answer ${task.task_id}`));
      const waiting = JSON.parse(json.stdout) as { task_id: string; state: string; waiting: { kind: string } }[];
      assert.deepEqual(waiting.map((w) => [w.task_id, w.state, w.waiting.kind]), [[task.task_id, 'waiting', 'question']]);
      assert.equal(admin.code, 0, admin.stderr);
      assert.equal(admin.stdout.trim(), 'Nothing waits for you.');

      const bad = await cli(t, ['inbox', '--limit', '0'], { token: dev.token });
      assert.equal(bad.code, 2);
      await t.request(`/api/runtime/tasks/${task.task_id}/answer`, { method: 'POST', token: dev.token, body: JSON.stringify({ answer: 'red' }) });
      await waitForState(t, task.task_id, ['completed']);
      const empty = await cli(t, ['inbox', '--json'], { token: dev.token });
      assert.deepEqual(JSON.parse(empty.stdout), []);
    });

    it('events prints the stored events without following, from --after on', async () => {
      const task = await submit(t, { agent_type: 'echo', prompt: 'list my events' }, { token: dev.token });
      await waitForState(t, task.task_id, ['completed']);
      const stored = await eventsOf(t, task.task_id);
      const [text, json, missing] = await Promise.all([
        cli(t, ['events', task.task_id], { token: dev.token }),
        cli(t, ['events', task.task_id, '--after', '1', '--json'], { token: dev.token }),
        cli(t, ['events', '00000000-0000-4000-8000-000000000000'], { token: dev.token }),
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout.trim().split('\n').length, stored.length);
      assert.match(text.stdout, /#1 pending/);
      assert.match(text.stdout, new RegExp(`#${stored.length} completed`));
      const after1 = JSON.parse(json.stdout) as { seq: number }[];
      assert.deepEqual(after1.map((e) => e.seq), stored.filter((e) => e.seq > 1).map((e) => e.seq));
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /TASK_NOT_FOUND/);
    });

    it("list --owner shows only that user's tasks to an admin", async () => {
      const mine = await submit(t, { agent_type: 'echo', prompt: 'admin task' });
      const [owned, everyone] = await Promise.all([
        cli(t, ['list', '--owner', dev.userId, '--all', '--json']),
        cli(t, ['list', '--all', '--json']),
      ]);
      assert.equal(owned.code, 0, owned.stderr);
      const tasks = (JSON.parse(owned.stdout) as { tasks: { owner_id: string; task_id: string }[] }).tasks;
      assert.ok(tasks.length >= 2);
      assert.ok(tasks.every((x) => x.owner_id === dev.userId));
      assert.ok((JSON.parse(everyone.stdout) as { tasks: { task_id: string }[] }).tasks.some((x) => x.task_id === mine.task_id));
    });

    it("devices show prints one device, its owner's or an admin's", async () => {
      const made = await t.request('/api/devices', { method: 'POST', token: dev.token, body: JSON.stringify({ device_id: 'dana-laptop', name: 'Dana laptop' }) });
      assert.equal(made.status, 201);
      const [json, text, other] = await Promise.all([
        cli(t, ['devices', 'show', 'dana-laptop', '--json'], { token: dev.token }),
        cli(t, ['devices', 'show', 'dana-laptop']),
        cli(t, ['devices', 'show', 'dana-laptop'], { token: (await t.createUser('eve', ['developer'])).token }),
      ]);
      assert.equal(json.code, 0, json.stderr);
      const d = JSON.parse(json.stdout) as { device_id: string; owner_id: string; trust: string };
      assert.deepEqual([d.device_id, d.owner_id, d.trust], ['dana-laptop', dev.userId, 'unknown']);
      assert.match(text.stdout, /dana-laptop\s+Dana laptop\s+unknown/);
      assert.equal(other.code, 1, "another user's device is not found");
      assert.match(other.stderr, /NOT_FOUND/);
    });
  });
}
