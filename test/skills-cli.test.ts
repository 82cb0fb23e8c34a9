/** `switchboard skills …` as child processes against a real server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { runCliAgainst as cli } from './helpers/cli-process.ts';
import { skillMd, zip } from './helpers/craft-archives.ts';

for (const dialect of DIALECTS) {
  describe(`skills CLI on ${dialect}`, () => {
    let t: TestApp;
    let work: string;
    before(async () => {
      t = await startTestApp(dialect);
      work = mkdtempSync(join(tmpdir(), 'sb-skills-cli-work-'));
    });
    after(async () => {
      await t.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('installs a local folder by packing and uploading it, then lists, shows and uninstalls it', async () => {
      const dir = join(work, 'summarize');
      mkdirSync(join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'SKILL.md'), skillMd('summarize', 'entrypoint: bin/run.sh\nrequires_approval: true\n', 'Summarize the input.'));
      writeFileSync(join(dir, 'bin', 'run.sh'), '#!/bin/sh\necho ok\n', { mode: 0o755 });
      symlinkSync('bin/run.sh', join(dir, 'run-link.sh'));
      mkdirSync(join(dir, '.git'));
      writeFileSync(join(dir, '.git', 'config'), 'secret');

      const inst = await cli(t, ['skills', 'install', dir]);
      assert.equal(inst.code, 0, inst.stderr);
      assert.match(inst.stdout, /^installed summarize \(3 files, \d+ bytes, sha256 [0-9a-f]{12}\)/);
      const installed = join(t.db.dataDir, 'skills', 'summarize');
      assert.equal(readFileSync(join(installed, 'run-link.sh'), 'utf8'), '#!/bin/sh\necho ok\n');
      assert.equal(existsSync(join(installed, '.git')), false);

      const list = await cli(t, ['skills', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /summarize\s+summarize\s+skill:execute\s+required\s+installed/);

      const show = await cli(t, ['skills', 'show', 'summarize', '--json']);
      assert.equal(show.code, 0, show.stderr);
      const detail = JSON.parse(show.stdout) as { entrypoint: string[]; instructions: string; requires_approval: boolean };
      assert.deepEqual(detail.entrypoint, ['bin/run.sh']);
      assert.equal(detail.instructions, 'Summarize the input.');

      const replaced = await cli(t, ['skills', 'install', dir, '--replace']);
      assert.equal(replaced.code, 0, replaced.stderr);
      assert.match(replaced.stdout, /^replaced summarize/);

      const rm = await cli(t, ['skills', 'uninstall', 'summarize']);
      assert.equal(rm.code, 0, rm.stderr);
      assert.match(rm.stdout, /uninstalled summarize/);
      assert.equal(existsSync(installed), false);
    });

    it('uploads a zip file under another id and refuses a folder with a link that escapes', async () => {
      const file = join(work, 'tool.zip');
      writeFileSync(file, zip([{ name: 'SKILL.md', data: skillMd('tool') }]));
      const inst = await cli(t, ['skills', 'install', file, '--id', 'tool-two', '--json']);
      assert.equal(inst.code, 0, inst.stderr);
      assert.equal((JSON.parse(inst.stdout) as { skill: { skill_id: string } }).skill.skill_id, 'tool-two');

      const leaky = join(work, 'leaky');
      mkdirSync(leaky);
      writeFileSync(join(leaky, 'SKILL.md'), skillMd('leaky'));
      symlinkSync('/etc/passwd', join(leaky, 'passwd'));
      const refused = await cli(t, ['skills', 'install', leaky]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /outside the skill folder/);

      const again = await cli(t, ['skills', 'install', file, '--id', 'tool-two']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /SKILL_EXISTS|already installed/);
    });
  });
}
