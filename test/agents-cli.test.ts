/**
 * `switchboard agents [list|show|set|delete|check]` as child processes against a
 * real server on every database: set from a YAML file and from flags, show (env:
 * references only), check (exit 0 when available, 1 when not), list, delete, and
 * the read-only refusal for a file-defined agent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';
import { freePort } from './fixtures/fake-model-endpoint.ts';

interface WireDefinition { agent_type: string; kind: string; source: string; available: boolean; config: Record<string, unknown> | null }

for (const dialect of DIALECTS) {
  describe(`agents CLI on ${dialect}`, () => {
    let t: TestApp;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sb-agents-cli-cfg-'));
      const file = join(dir, 'switchboard.config.yaml');
      writeFileSync(file, 'agents:\n  - id: filebot\n    kind: echo\n');
      t = await startTestApp(dialect, { env: { SWITCHBOARD_CONFIG: file } });
    });
    after(async () => t.close());

    it('sets, shows, checks, lists and deletes agents', async () => {
      const port = await freePort();
      writeFileSync(
        join(dir, 'local.yaml'),
        ['kind: ollama', `base_url: http://127.0.0.1:${port}`, 'model: tiny', 'name: Local model', 'concurrency: 2', 'skills: "*"', ''].join('\n'),
      );
      // Independent calls side by side: each CLI start costs seconds on a busy machine.
      const [fromFile, fromFlags, readOnly, bad] = await Promise.all([
        cli(t, ['agents', 'set', 'local', '--file', join(dir, 'local.yaml'), '--json']),
        cli(t, ['agents', 'set', 'parrot', '--kind', 'echo', '--name', 'Parrot', '--capability', 'conversation,testing', '--max-attempts', '2']),
        cli(t, ['agents', 'delete', 'filebot']),
        cli(t, ['agents', 'set', 'broken', '--kind', 'openai', '--model', 'm', '--api-key', 'sk-literal']),
      ]);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      const local = JSON.parse(fromFile.stdout) as WireDefinition;
      assert.equal(local.source, 'database');
      assert.equal(local.config?.['skills'], '*');
      assert.equal(local.available, false, 'nothing answers on its port');
      assert.equal(fromFlags.code, 0, fromFlags.stderr);
      assert.match(fromFlags.stdout, /Agent parrot saved \(echo\)\.\nAvailable: yes/);
      assert.equal(readOnly.code, 1);
      assert.match(readOnly.stderr, /AGENT_READ_ONLY|configuration file/);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /api_key: must name an environment variable/);

      const [show, checkDown, checkUp, list, del] = await Promise.all([
        cli(t, ['agents', 'show', 'parrot']),
        cli(t, ['agents', 'check', 'local']),
        cli(t, ['agents', 'check', 'parrot']),
        cli(t, ['agents']),
        cli(t, ['agents', 'delete', 'local']),
      ]);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, /Agent: +parrot \(echo, database\)/);
      assert.match(show.stdout, /Available: yes/);
      assert.match(show.stdout, /name: Parrot/);
      assert.equal(checkUp.code, 0, checkUp.stderr);
      assert.match(checkUp.stdout, /parrot: available/);
      // `local` may already be deleted by the parallel delete (then 404); either way it is not available.
      assert.equal(checkDown.code, 1);
      assert.match(checkDown.stdout + checkDown.stderr, /local: unavailable \(.*does not answer|NOT_FOUND|No agent/);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^parrot +Parrot +yes +conversation,testing/m);
      assert.match(list.stdout, /^filebot /m);
      assert.equal(del.code, 0, del.stderr);
      assert.match(del.stdout, /Agent local deleted\./);

      const after = await t.request('/api/runtime/agents/local');
      assert.equal(after.status, 404);
      const parrot = (await (await t.request('/api/runtime/agents/parrot')).json()) as WireDefinition;
      assert.deepEqual(parrot.config?.['capabilities'], ['conversation', 'testing']);
    });
  });
}
