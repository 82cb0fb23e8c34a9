/** The skill runner with real child processes: input on stdin, output cap, failures, time limit, environment, confinement. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSkillRunner, resolveEntrypoint } from '../src/skills/skill-runner.ts';
import type { SkillDefinition } from '../src/core/domain/skill.ts';

const root = mkdtempSync(join(tmpdir(), 'sb-skill-runner-'));
after(() => rmSync(root, { recursive: true, force: true }));

function skill(id: string, script: string, entrypoint: readonly string[] = ['node', 'run.mjs']): SkillDefinition {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.mjs'), script);
  return {
    skillId: id,
    name: id,
    description: id,
    requiredPermissions: ['skill:execute'],
    metadata: {},
    dir,
    instructions: `how to use ${id}`,
    requiresApproval: false,
    entrypoint,
    inputSchema: null,
  };
}

const never = new AbortController().signal;

describe('skill runner', () => {
  it('passes the input as JSON on stdin and returns stdout', async () => {
    const s = skill('echo', "let r='';process.stdin.on('data',d=>r+=d).on('end',()=>process.stdout.write('got '+JSON.parse(r).n));");
    assert.deepEqual(await createSkillRunner().execute(s, { n: 7 }, never), { ok: true, output: 'got 7' });
  });

  it('caps the output and says so', async () => {
    const s = skill('big', "process.stdout.write('x'.repeat(100000));");
    const r = await createSkillRunner({ maxOutputBytes: 1000 }).execute(s, {}, never);
    assert.ok(r.ok);
    assert.ok(r.output.startsWith('x'.repeat(1000) + '\n[output truncated at 1000 bytes]'));
  });

  it('fails with the exit code and the end of stderr', async () => {
    const s = skill('bad', "process.stderr.write('boom happened');process.exit(3);");
    assert.deepEqual(await createSkillRunner().execute(s, {}, never), { ok: false, error: 'the skill exited with code 3: boom happened' });
  });

  it('kills a skill that runs past its time limit', async () => {
    const s = skill('slow', 'setInterval(() => {}, 1000);');
    assert.deepEqual(await createSkillRunner({ timeoutMs: 300 }).execute(s, {}, never), { ok: false, error: 'the skill timed out after 300 ms' });
  });

  it('passes only allow-listed environment variables', async () => {
    const s = skill('env', "process.stdout.write(JSON.stringify([process.env.KEEP ?? null, process.env.SECRET_KEY ?? null]));");
    const r = await createSkillRunner({ envAllow: ['PATH', 'KEEP'], env: { PATH: process.env['PATH'], KEEP: 'yes', SECRET_KEY: 'no' } }).execute(s, {}, never);
    assert.deepEqual(r, { ok: true, output: '["yes",null]' });
  });

  it('rejects with the abort reason and stops the process when aborted', async () => {
    const s = skill('abort', 'setInterval(() => {}, 1000);');
    const ac = new AbortController();
    const run = createSkillRunner().execute(s, {}, ac.signal);
    setTimeout(() => ac.abort('cancel'), 200);
    await assert.rejects(run, (err: unknown) => err === 'cancel');
  });

  it('returns the instructions of a skill without an entrypoint', async () => {
    const s = { ...skill('doc', ''), entrypoint: null };
    assert.deepEqual(await createSkillRunner().execute(s, {}, never), { ok: true, output: 'how to use doc' });
  });

  it('refuses entrypoints and arguments that leave the skill folder', async () => {
    const s = skill('confined', '');
    symlinkSync('/bin/sh', join(s.dir, 'escape'));
    assert.equal((await resolveEntrypoint(s.dir, ['./escape'])).ok, false);
    assert.equal((await resolveEntrypoint(s.dir, ['/bin/sh'])).ok, false);
    assert.equal((await resolveEntrypoint(s.dir, ['node', '../other/run.mjs'])).ok, false);
    assert.equal((await resolveEntrypoint(s.dir, ['node', '/etc/passwd'])).ok, false);
    assert.deepEqual(await resolveEntrypoint(s.dir, ['node', 'run.mjs']), { ok: true, program: 'node', args: ['run.mjs'] });
    const r = await resolveEntrypoint(s.dir, ['./run.mjs']);
    assert.ok(r.ok && r.program.endsWith('/confined/run.mjs'));
  });
});
