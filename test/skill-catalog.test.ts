/** SKILL.md parsing and the cached skill catalog on a real filesystem. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSkillMarkdown } from '../src/skills/skill-markdown.ts';
import { createSkillCatalog } from '../src/skills/skill-catalog.ts';
import { skillMd } from './helpers/craft-archives.ts';

describe('SKILL.md parsing', () => {
  it('reads every front-matter field, with a string entrypoint split on whitespace', () => {
    const r = parseSkillMarkdown(
      '---\nname: pdf\ndescription: Reads PDFs\nrequired_permissions: [skill:execute, project:read]\nrequires_approval: true\n' +
        'entrypoint: "python3  read.py --fast"\ninput_schema: {type: object, properties: {file: {type: string}}}\nversion: 2\nlicense: MIT\nmetadata: {team: docs}\n---\n\n# PDF\nUse it.\n',
    );
    assert.ok(r.ok);
    assert.deepEqual(r.skill.requiredPermissions, ['skill:execute', 'project:read']);
    assert.equal(r.skill.requiresApproval, true);
    assert.deepEqual(r.skill.entrypoint, ['python3', 'read.py', '--fast']);
    assert.deepEqual(r.skill.inputSchema, { type: 'object', properties: { file: { type: 'string' } } });
    assert.equal(r.skill.instructions, '# PDF\nUse it.');
    assert.deepEqual(r.skill.extra, { version: '2', license: 'MIT', extra: { team: 'docs' } });
  });

  it('takes an entrypoint list as argv and defaults permissions and approval', () => {
    const r = parseSkillMarkdown(skillMd('x', 'entrypoint: [node, "my script.js"]\n'));
    assert.ok(r.ok);
    assert.deepEqual(r.skill.entrypoint, ['node', 'my script.js']);
    assert.deepEqual(r.skill.requiredPermissions, ['skill:execute']);
    assert.equal(r.skill.requiresApproval, false);
    assert.equal(r.skill.inputSchema, null);
  });

  it('reports every problem of an invalid SKILL.md', () => {
    assert.deepEqual(parseSkillMarkdown('# no front matter'), { ok: false, problems: ['SKILL.md must start with YAML front matter between "---" lines'] });
    const r = parseSkillMarkdown('---\nname: [a]\nrequired_permissions: admin\nentrypoint: ../escape.sh\ninput_schema: {type: string}\n---\n');
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.problems.length, 5, r.problems.join('\n'));
    assert.match(parseSkillMarkdown('---\nname: a\n  bad: [\n---\n').ok ? '' : 'yaml', /yaml/);
  });
});

describe('skill catalog', () => {
  let root: string;
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (_o: object, m?: string) => void warnings.push(m ?? ''), error() {} };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-catalog-'));
    mkdirSync(join(root, 'installed', 'alpha'), { recursive: true });
    writeFileSync(join(root, 'installed', 'alpha', 'SKILL.md'), skillMd('alpha'));
    mkdirSync(join(root, 'configured', 'alpha'), { recursive: true });
    writeFileSync(join(root, 'configured', 'alpha', 'SKILL.md'), skillMd('shadowed'));
    mkdirSync(join(root, 'configured', 'beta'), { recursive: true });
    writeFileSync(join(root, 'configured', 'beta', 'SKILL.md'), skillMd('beta'));
    mkdirSync(join(root, 'configured', 'Bad Name'), { recursive: true });
    writeFileSync(join(root, 'configured', 'Bad Name', 'SKILL.md'), skillMd('bad'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists valid skills, the data dir first, warns once per invalid folder, and sees edits and new folders', async () => {
    const catalog = createSkillCatalog({ installedDir: join(root, 'installed'), configuredDirs: [join(root, 'configured')] }, logger);
    const ids = async () => (await catalog.list()).map((s) => `${s.skillId}:${s.name}:${String(s.metadata['origin'])}`);
    assert.deepEqual(await ids(), ['alpha:alpha:installed', 'beta:beta:configured']);
    const invalidWarnings = warnings.filter((w) => w === 'invalid skill skipped').length;
    assert.equal(invalidWarnings, 1);
    await catalog.list();
    assert.equal(warnings.filter((w) => w === 'invalid skill skipped').length, 1);

    // An edit shows without any invalidate(): the SKILL.md stamp changed.
    writeFileSync(join(root, 'configured', 'beta', 'SKILL.md'), skillMd('beta-two', 'requires_approval: true\n'));
    utimesSync(join(root, 'configured', 'beta', 'SKILL.md'), new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await ids(), ['alpha:alpha:installed', 'beta:beta-two:configured']);
    assert.equal((await catalog.get('beta'))?.requiresApproval, true);

    // A new folder whose SKILL.md appears later, and an explicit invalidate.
    mkdirSync(join(root, 'installed', 'gamma'));
    assert.equal(await catalog.get('gamma'), undefined);
    writeFileSync(join(root, 'installed', 'gamma', 'SKILL.md'), skillMd('gamma', '', 'Gamma body.'));
    catalog.invalidate();
    const gamma = await catalog.get('gamma');
    assert.equal(gamma?.instructions, 'Gamma body.');
    assert.equal(gamma?.dir, join(root, 'installed', 'gamma'));
    assert.equal(await catalog.get('../installed'), undefined);
  });
});
