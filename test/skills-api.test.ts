/**
 * Skill install/uninstall over real HTTP on every database: archives, a real git
 * repository by file:// URL, malicious archives refused and audited, permissions,
 * configured folders read-only, and installs visible in GET /api/runtime/skills at once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from './helpers/databases.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';
import { skillMd, tarGz, zip } from './helpers/craft-archives.ts';
import { generateToken } from '../src/security/authentication/tokens.ts';
import { recordSecret } from './helpers/log-capture.ts';

const MiB = 1024 * 1024;

interface AuditEvent {
  event_type: string;
  action: string;
  status: string;
  resource_id: string | null;
  user_id: string | null;
  details: Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`skill install API on ${dialect}`, () => {
    let t: TestApp;
    let work: string;
    let configured: string;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'sb-skills-api-'));
      configured = join(work, 'configured');
      mkdirSync(join(configured, 'house-style'), { recursive: true });
      writeFileSync(join(configured, 'house-style', 'SKILL.md'), skillMd('house-style'));
      writeFileSync(join(work, 'config.yaml'), `skills_dirs:\n  - ${configured}\n`);
      t = await startTestApp(dialect, {
        env: {
          SWITCHBOARD_CONFIG: join(work, 'config.yaml'),
          SWITCHBOARD_SKILL_MAX_BYTES: String(MiB),
          SWITCHBOARD_SKILL_MAX_FILES: '50',
          SWITCHBOARD_SKILL_UPLOAD_LIMIT: String(2 * MiB),
        },
      });
    });
    after(async () => {
      await t.close();
      rmSync(work, { recursive: true, force: true });
    });

    const upload = (data: Buffer, type: string, query = '', token?: string) =>
      t.request(`/api/runtime/skills${query}`, { method: 'POST', body: data, headers: { 'content-type': type }, ...(token !== undefined ? { token } : {}) });
    const listIds = async (): Promise<string[]> => ((await (await t.request('/api/runtime/skills')).json()) as { skill_id: string }[]).map((s) => s.skill_id);
    const audit = async (query: string): Promise<AuditEvent[]> => {
      const res = await t.request(`/api/audit/events?resource_type=skill&${query}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { events: AuditEvent[] }).events;
    };
    const stagingEmpty = (): void => {
      const staging = join(t.db.dataDir, 'skills', '.staging');
      assert.deepEqual(existsSync(staging) ? readdirSync(staging) : [], []);
    };

    it('installs a tar.gz, shows it in the list at once, serves its definition and audits the install', async () => {
      assert.deepEqual(await listIds(), ['house-style']);
      const data = tarGz([
        { name: 'weather/SKILL.md', data: skillMd('weather', 'required_permissions: [skill:execute]\nentrypoint: [python3, main.py]\ninput_schema:\n  type: object\n  properties:\n    city: {type: string}\n', 'Look up the weather.') },
        { name: 'weather/main.py', data: 'print(1)\n' },
      ]);
      const res = await upload(data, 'application/gzip');
      const body = (await res.json()) as { skill: Record<string, unknown>; install: Record<string, unknown> };
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.equal(body.skill['skill_id'], 'weather');
      assert.equal(body.install['source'], 'archive');
      assert.equal(body.install['file_count'], 2);
      assert.match(String(body.install['sha256']), /^[0-9a-f]{64}$/);
      assert.deepEqual(await listIds(), ['house-style', 'weather']);

      const detail = (await (await t.request('/api/runtime/skills/weather')).json()) as Record<string, unknown>;
      assert.deepEqual(detail['entrypoint'], ['python3', 'main.py']);
      assert.deepEqual(detail['input_schema'], { type: 'object', properties: { city: { type: 'string' } } });
      assert.equal(detail['instructions'], 'Look up the weather.');
      assert.equal(detail['origin'], 'installed');
      assert.equal(detail['read_only'], false);
      assert.equal(detail['dir'], undefined);

      const [rec] = await audit('resource_id=weather');
      assert.equal(rec?.event_type, 'resource.modified');
      assert.equal(rec?.action, 'skill.install');
      assert.equal(rec?.status, 'success');
      assert.equal(rec?.details['source'], 'archive');
      assert.equal(rec?.details['sha256'], body.install['sha256']);
      assert.equal(rec?.details['file_count'], 2);
      stagingEmpty();
    });

    it('installs a zip, refuses it again with 409, and replaces it with ?replace=true', async () => {
      const data = zip([{ name: 'SKILL.md', data: skillMd('zipper') }]);
      assert.equal((await upload(data, 'application/zip')).status, 201);
      const openapi = (await (await t.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
      assert.ok(openapi.paths['/api/runtime/skills/{skill_id}'] !== undefined);
      const again = await upload(data, 'application/zip');
      assert.equal(again.status, 409);
      assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'SKILL_EXISTS');
      const replaced = await upload(data, 'application/zip', '?replace=true');
      assert.equal(replaced.status, 201);
      assert.equal(((await replaced.json()) as { install: { replaced: boolean } }).install.replaced, true);
    });

    it('installs from a real git repository by file:// URL', async () => {
      const repo = join(work, 'repo-skill');
      mkdirSync(repo);
      writeFileSync(join(repo, 'SKILL.md'), skillMd('Git Skill'));
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'ignore' });
      git('init', '-q');
      git('add', '.');
      git('commit', '-q', '-m', 'skill');
      const res = await t.request('/api/runtime/skills', { method: 'POST', body: JSON.stringify({ git_url: `file://${repo}` }) });
      const body = (await res.json()) as { skill: { skill_id: string; name: string }; install: { source: string; file_count: number } };
      assert.equal(res.status, 201, JSON.stringify(body));
      // The name is not a valid id, so the repository name is used.
      assert.equal(body.skill.skill_id, 'repo-skill');
      assert.equal(body.skill.name, 'Git Skill');
      assert.equal(body.install.source, 'git');
      assert.equal(body.install.file_count, 1);
      assert.ok((await listIds()).includes('repo-skill'));
      assert.equal(existsSync(join(t.db.dataDir, 'skills', 'repo-skill', '.git')), false);

      // A link in the repository that leaves the skill folder is refused.
      symlinkSync('/etc/passwd', join(repo, 'passwd'));
      git('add', '.');
      git('commit', '-q', '-m', 'leak');
      const leak = await t.request('/api/runtime/skills?replace=true', { method: 'POST', body: JSON.stringify({ git_url: `file://${repo}` }) });
      assert.equal(leak.status, 400);
      assert.match(((await leak.json()) as { error: { message: string } }).error.message, /"passwd".*outside the skill folder/);
      stagingEmpty();

      const bad = await t.request('/api/runtime/skills', { method: 'POST', body: JSON.stringify({ git_url: `file://${join(work, 'nope')}` }) });
      assert.equal(bad.status, 422);
      assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'SKILL_SOURCE_FAILED');
      const ext = await t.request('/api/runtime/skills', { method: 'POST', body: JSON.stringify({ git_url: 'ext::sh -c touch% /tmp/pwned' }) });
      assert.equal(ext.status, 400);
    });

    it('refuses malicious archives with clear errors, writes nothing and audits each failure', async () => {
      const md = { name: 'SKILL.md', data: skillMd('evil') };
      const cases: [Buffer, string, number, string, RegExp][] = [
        [tarGz([md, { name: '../evil', data: 'x' }]), 'application/gzip', 400, 'SKILL_ARCHIVE_INVALID', /"\.\.\/evil"/],
        [tarGz([md, { name: '/etc/evil', data: 'x' }]), 'application/gzip', 400, 'SKILL_ARCHIVE_INVALID', /"\/etc\/evil".*absolute/],
        [tarGz([md, { name: 'pw', type: '2', linkname: '/etc/passwd' }]), 'application/gzip', 400, 'SKILL_ARCHIVE_INVALID', /"pw".*symbolic link/],
        [tarGz([md, { name: 'hl', type: '1', linkname: 'SKILL.md' }]), 'application/gzip', 400, 'SKILL_ARCHIVE_INVALID', /"hl".*hard link/],
        [tarGz([md, { name: 'big.bin', data: Buffer.alloc(2 * MiB) }]), 'application/gzip', 413, 'SKILL_TOO_LARGE', /more than 1048576 bytes/],
        [tarGz([md, ...Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, data: 'x' }))]), 'application/gzip', 413, 'SKILL_TOO_LARGE', /more than 50 entries/],
        [zip([md, { name: '../evil', data: 'x' }]), 'application/zip', 400, 'SKILL_ARCHIVE_INVALID', /"\.\.\/evil"/],
        [zip([md, { name: '/etc/evil', data: 'x' }]), 'application/zip', 400, 'SKILL_ARCHIVE_INVALID', /absolute/],
        [zip([md, { name: 'bomb', data: Buffer.alloc(4 * MiB) }]), 'application/zip', 413, 'SKILL_TOO_LARGE', /more than 1048576 bytes/],
        [tarGz([{ name: 'SKILL.md', data: '---\nname: x\n---\n' }]), 'application/gzip', 422, 'SKILL_INVALID', /description: required/],
      ];
      for (const [data, type, status, code, message] of cases) {
        const res = await upload(data, type);
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(res.status, status, JSON.stringify(body));
        assert.equal(body.error.code, code);
        assert.match(body.error.message, message);
        stagingEmpty();
      }
      assert.equal(existsSync('/etc/evil'), false);
      assert.equal(existsSync(join(t.db.dataDir, 'evil')), false);
      assert.equal(existsSync(join(t.db.dataDir, 'skills', 'evil')), false);
      const failures = await audit('status=failure&limit=50');
      const refused = failures.filter((f) => f.action === 'skill.install' && f.details['source'] === 'archive' && f.details['error'] !== 'SKILL_EXISTS');
      assert.equal(refused.length, cases.length);
      assert.ok(refused.some((f) => f.details['error'] === 'SKILL_ARCHIVE_INVALID' && /\.\.\/evil/.test(String(f.details['reason']))));
      assert.ok(refused.every((f) => typeof f.details['sha256'] === 'string'));
    });

    it('answers 415 for other content types and 413 for an upload over the limit', async () => {
      const text = await upload(Buffer.from('hello'), 'text/plain');
      assert.equal(text.status, 415);
      assert.match(((await text.json()) as { error: { message: string } }).error.message, /application\/gzip/);
      const huge = await upload(Buffer.alloc(3 * MiB, 1), 'application/gzip');
      assert.equal(huge.status, 413);
    });

    it('denies a developer with 403 and audits permission.denied; a server path also needs admin:system', async () => {
      const dev = await t.createUser(`dev-${dialect}`, ['developer']);
      const res = await upload(tarGz([{ name: 'SKILL.md', data: skillMd('sneaky') }]), 'application/gzip', '', dev.token);
      assert.equal(res.status, 403);
      const del = await t.request('/api/runtime/skills/weather', { method: 'DELETE', token: dev.token });
      assert.equal(del.status, 403);
      const denials = (await audit('event_type=permission.denied')).filter((d) => d.user_id === dev.userId);
      assert.equal(denials.length, 2);
      assert.ok(denials.every((d) => d.details['permission'] === 'skill:install'));
      assert.ok((await listIds()).includes('weather'));

      // skill:install alone is enough for archives, not for reading the server's filesystem.
      const installerId = crypto.randomUUID();
      await t.app.store.credentials.createUser({ id: installerId, username: `inst-${dialect}`, kind: 'user', roles: ['viewer'], grants: ['skill:install'], createdAt: Date.now() });
      const tok = generateToken();
      await t.app.store.credentials.createToken({ id: crypto.randomUUID(), userId: installerId, name: 't', tokenHash: tok.hash, prefix: tok.displayPrefix, createdAt: Date.now(), expiresAt: null });
      recordSecret(tok.token);
      assert.equal((await upload(tarGz([{ name: 'SKILL.md', data: skillMd('granted') }]), 'application/gzip', '', tok.token)).status, 201);
      const src = join(work, 'local-skill');
      mkdirSync(src);
      writeFileSync(join(src, 'SKILL.md'), skillMd('local'));
      const path = await t.request('/api/runtime/skills', { method: 'POST', body: JSON.stringify({ path: src }), token: tok.token });
      assert.equal(path.status, 403);
      assert.match(((await path.json()) as { error: { message: string } }).error.message, /admin:system/);
      const admin = await t.request('/api/runtime/skills', { method: 'POST', body: JSON.stringify({ path: src }) });
      assert.equal(admin.status, 201);
    });

    it("applies a policy on skill:<id> to an install that names no id (the id is read from the archive)", async () => {
      const userId = crypto.randomUUID();
      await t.app.store.credentials.createUser({ id: userId, username: `barred-${dialect}`, kind: 'user', roles: ['viewer'], grants: ['skill:install'], createdAt: Date.now() });
      const tok = generateToken();
      await t.app.store.credentials.createToken({ id: crypto.randomUUID(), userId, name: 't', tokenHash: tok.hash, prefix: tok.displayPrefix, createdAt: Date.now(), expiresAt: null });
      recordSecret(tok.token);
      const policy = await t.request('/api/policies', {
        method: 'POST',
        body: JSON.stringify({ resource_type: 'skill', resource_id: 'guarded', permissions: ['skill:install'], denied_users: [userId] }),
      });
      assert.equal(policy.status, 201);
      const refused = await upload(tarGz([{ name: 'SKILL.md', data: skillMd('guarded') }]), 'application/gzip', '', tok.token);
      assert.equal(refused.status, 403);
      assert.ok(!(await listIds()).includes('guarded'));
      stagingEmpty();
      const denials = (await audit('event_type=permission.denied&resource_id=guarded')).filter((d) => d.user_id === userId);
      assert.equal(denials[0]?.details['permission'], 'skill:install');
      // Another id is not covered by the policy.
      assert.equal((await upload(tarGz([{ name: 'SKILL.md', data: skillMd('unguarded') }]), 'application/gzip', '', tok.token)).status, 201);
    });

    it('uninstalls installed skills and refuses configured ones with 409', async () => {
      const res = await t.request('/api/runtime/skills/weather', { method: 'DELETE' });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { skill_id: 'weather', uninstalled: true });
      assert.ok(!(await listIds()).includes('weather'));
      assert.equal((await t.request('/api/runtime/skills/weather')).status, 404);
      assert.equal((await t.request('/api/runtime/skills/weather', { method: 'DELETE' })).status, 404);
      const ro = await t.request('/api/runtime/skills/house-style', { method: 'DELETE' });
      assert.equal(ro.status, 409);
      assert.equal(((await ro.json()) as { error: { code: string } }).error.code, 'SKILL_READ_ONLY');
      assert.ok(existsSync(join(configured, 'house-style', 'SKILL.md')));
      const deletes = await audit('resource_id=weather&event_type=resource.deleted');
      assert.deepEqual(deletes.map((d) => [d.action, d.status]), [['skill.uninstall', 'failure'], ['skill.uninstall', 'success']]);
      assert.equal(deletes[0]?.details['error'], 'SKILL_NOT_FOUND');
    });
  });
}
