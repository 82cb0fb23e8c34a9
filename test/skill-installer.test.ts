/**
 * The skill installer on a real filesystem: good archives install, crafted malicious
 * ones are refused with a message naming the entry, nothing lands outside the
 * staging folder, and the staging folder is empty afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isSwitchboardError, type ErrorCode } from '../src/core/domain/errors.ts';
import type { SkillSource } from '../src/core/domain/skill.ts';
import type { SkillInstaller } from '../src/core/ports/skill-installer.ts';
import { createSkillCatalog, type LocalSkillCatalog } from '../src/skills/skill-catalog.ts';
import { createSkillInstaller } from '../src/skills/skill-installer.ts';
import { skillMd, tarGz, zip } from './helpers/craft-archives.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const MiB = 1024 * 1024;

describe('skill installer', () => {
  let root: string;
  let skillsDir: string;
  let catalog: LocalSkillCatalog;
  let installer: SkillInstaller;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-skill-inst-'));
    skillsDir = join(root, 'data', 'skills');
    catalog = createSkillCatalog({ installedDir: skillsDir, configuredDirs: [] }, silent);
    installer = createSkillInstaller(catalog, { skillsDir, maxEntries: 2000, maxBytes: 50 * MiB, gitTimeoutMs: 60_000 }, silent);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function install(source: SkillSource, replace = false): Promise<string> {
    const staged = await installer.stage(source, { replace });
    try {
      return (await staged.commit()).skillId;
    } finally {
      await staged.discard();
    }
  }

  /** Refused with `code`; nothing new next to the data dir, and staging is empty. */
  async function refused(source: SkillSource, code: ErrorCode, message: RegExp): Promise<void> {
    const before = readdirSync(root).sort();
    const installed = existsSync(skillsDir) ? readdirSync(skillsDir).sort() : [];
    await assert.rejects(installer.stage(source, {}), (err: unknown) => {
      assert.ok(isSwitchboardError(err), String(err));
      assert.equal(err.code, code, err.message);
      assert.match(err.message, message);
      return true;
    });
    assert.deepEqual(readdirSync(root).sort(), before);
    assert.deepEqual(readdirSync(skillsDir).sort(), installed);
    assert.deepEqual(readdirSync(join(skillsDir, '.staging')), []);
    assert.equal(existsSync('/tmp/evil'), false);
    assert.equal(existsSync(join(root, 'evil')), false);
  }

  const archive = (data: Buffer, format: 'tar.gz' | 'zip' = 'tar.gz'): SkillSource => ({ kind: 'archive', format, data });

  it('installs a tar.gz with the skill in one top-level folder, keeping the executable bit', async () => {
    const id = await install(
      archive(
        tarGz([
          { name: 'pkg/', type: '5' },
          { name: 'pkg/SKILL.md', data: skillMd('greeter', 'entrypoint: ./run.sh --loud\nrequires_approval: true\n') },
          { name: 'pkg/run.sh', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
        ]),
      ),
    );
    assert.equal(id, 'greeter');
    const skill = await catalog.get('greeter');
    assert.ok(skill);
    assert.deepEqual(skill.entrypoint, ['./run.sh', '--loud']);
    assert.equal(skill.requiresApproval, true);
    assert.equal(skill.dir, join(skillsDir, 'greeter'));
    assert.equal(statSync(join(skillsDir, 'greeter', 'run.sh')).mode & 0o777, 0o755);
    assert.deepEqual(readdirSync(join(skillsDir, '.staging')), []);
  });

  it('installs a zip with the skill at its root and refuses the same id again unless replacing', async () => {
    const data = zip([{ name: 'SKILL.md', data: skillMd('zipped') }, { name: 'docs/notes.txt', data: 'x' }]);
    assert.equal(await install(archive(data, 'zip')), 'zipped');
    assert.equal(readFileSync(join(skillsDir, 'zipped', 'docs', 'notes.txt'), 'utf8'), 'x');
    await refused(archive(data, 'zip'), 'SKILL_EXISTS', /already installed/);
    const v2 = zip([{ name: 'SKILL.md', data: skillMd('zipped', 'version: "2"\n') }]);
    assert.equal(await install(archive(v2, 'zip'), true), 'zipped');
    assert.equal((await catalog.get('zipped'))?.metadata['version'], '2');
    assert.equal(existsSync(join(skillsDir, 'zipped', 'docs')), false);
  });

  it('refuses tar entries that climb out, are absolute, or are links, devices or FIFOs', async () => {
    const md = { name: 'SKILL.md', data: skillMd('bad') };
    await refused(archive(tarGz([md, { name: '../evil', data: 'x' }])), 'SKILL_ARCHIVE_INVALID', /"\.\.\/evil".*"\.\." segments/);
    await refused(archive(tarGz([md, { name: 'a/../../evil', data: 'x' }])), 'SKILL_ARCHIVE_INVALID', /"\.\." segments/);
    await refused(archive(tarGz([md, { name: '/tmp/evil', data: 'x' }])), 'SKILL_ARCHIVE_INVALID', /"\/tmp\/evil".*absolute/);
    await refused(archive(tarGz([md, { name: 'C:/evil', data: 'x' }])), 'SKILL_ARCHIVE_INVALID', /drive letters/);
    await refused(archive(tarGz([md, { name: 'passwd', type: '2', linkname: '/etc/passwd' }])), 'SKILL_ARCHIVE_INVALID', /"passwd".*symbolic link to "\/etc\/passwd"/);
    await refused(archive(tarGz([md, { name: 'hard', type: '1', linkname: 'SKILL.md' }])), 'SKILL_ARCHIVE_INVALID', /"hard".*hard link/);
    await refused(archive(tarGz([md, { name: 'tty', type: '3' }])), 'SKILL_ARCHIVE_INVALID', /CharacterDevice/);
    await refused(archive(tarGz([md, { name: 'pipe', type: '6' }])), 'SKILL_ARCHIVE_INVALID', /FIFO/);
  });

  it('refuses a tar with a file over the byte limit, too many entries, or a second gzip layer', async () => {
    const md = { name: 'SKILL.md', data: skillMd('big') };
    await refused(archive(tarGz([md, { name: 'zeros.bin', data: Buffer.alloc(51 * MiB) }])), 'SKILL_TOO_LARGE', /more than 52428800 bytes.*zeros\.bin/);
    const many = Array.from({ length: 2001 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }));
    await refused(archive(tarGz([md, ...many])), 'SKILL_TOO_LARGE', /more than 2000 entries/);
    await refused(archive(gzipSync(tarGz([md]))), 'SKILL_ARCHIVE_INVALID', /compressed twice/);
    await refused(archive(Buffer.from('not gzip at all')), 'SKILL_ARCHIVE_INVALID', /gzip/);
  });

  it('refuses zip slip, absolute paths, symlinks and zip bombs, whatever the headers claim', async () => {
    const md = { name: 'SKILL.md', data: skillMd('bad') };
    await refused(archive(zip([md, { name: '../evil', data: 'x' }]), 'zip'), 'SKILL_ARCHIVE_INVALID', /"\.\.\/evil"/);
    await refused(archive(zip([md, { name: '/tmp/evil', data: 'x' }]), 'zip'), 'SKILL_ARCHIVE_INVALID', /"\/tmp\/evil".*absolute/);
    await refused(archive(zip([md, { name: 'passwd', data: '/etc/passwd', unixMode: 0o120777 }]), 'zip'), 'SKILL_ARCHIVE_INVALID', /"passwd".*link/);
    const bomb = Buffer.alloc(60 * MiB);
    await refused(archive(zip([md, { name: 'bomb.bin', data: bomb }]), 'zip'), 'SKILL_TOO_LARGE', /more than 52428800 bytes/);
    // The same bomb with headers claiming 1 KiB: stopped while streaming, not trusted.
    await assert.rejects(installer.stage(archive(zip([md, { name: 'bomb.bin', data: bomb, declaredSize: 1024 }]), 'zip'), {}), (err: unknown) => {
      assert.ok(isSwitchboardError(err));
      assert.ok(['SKILL_TOO_LARGE', 'SKILL_ARCHIVE_INVALID'].includes(err.code), err.message);
      return true;
    });
    assert.deepEqual(readdirSync(join(skillsDir, '.staging')), []);
  });

  it('refuses an archive without SKILL.md or with an invalid one, listing every problem', async () => {
    await refused(archive(tarGz([{ name: 'README.md', data: 'hi' }])), 'SKILL_INVALID', /No SKILL\.md/);
    const bad = '---\nname: ""\nrequired_permissions: [skill:execute, root:everything]\nrequires_approval: maybe\nentrypoint: /bin/sh -c\n---\n';
    await refused(archive(tarGz([{ name: 'SKILL.md', data: bad }])), 'SKILL_INVALID', /name: required.*description: required.*root:everything.*requires_approval.*absolute path/);
    await refused(archive(tarGz([{ name: 'SKILL.md', data: skillMd('ep', 'entrypoint: ./missing.sh\n') }])), 'SKILL_INVALID', /missing\.sh" does not exist/);
  });

  it('copies a server folder, keeping links that stay inside and refusing links that escape', async () => {
    const src = join(root, 'src-skill');
    mkdirSync(join(src, 'lib'), { recursive: true });
    writeFileSync(join(src, 'SKILL.md'), skillMd('from-folder'));
    writeFileSync(join(src, 'lib', 'a.txt'), 'a');
    symlinkSync('lib/a.txt', join(src, 'alias.txt'));
    assert.equal(await install({ kind: 'path', path: src }), 'from-folder');
    assert.equal(readFileSync(join(skillsDir, 'from-folder', 'alias.txt'), 'utf8'), 'a');
    symlinkSync('/etc/passwd', join(src, 'passwd'));
    await refused({ kind: 'path', path: src }, 'SKILL_ARCHIVE_INVALID', /"passwd".*outside the skill folder/);
  });

  it('uninstalls only installed skills', async () => {
    await installer.checkRemovable('greeter');
    await installer.remove('greeter');
    assert.equal(await catalog.get('greeter'), undefined);
    assert.equal(existsSync(join(skillsDir, 'greeter')), false);
    await assert.rejects(installer.checkRemovable('greeter'), (err: unknown) => isSwitchboardError(err, 'SKILL_NOT_FOUND'));
  });
});
