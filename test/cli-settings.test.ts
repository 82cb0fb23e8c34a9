/** Where the CLI finds its server URL and token: flag > env > config file > default. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../src/cli/cli-errors.ts';
import { DEFAULT_URL, resolveSettings, type SettingsSources } from '../src/cli/settings.ts';

/** A fresh home and working directory, with an optional config file and admin-token file. */
function sandbox(files: { config?: unknown; configMode?: number; adminToken?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-settings-'));
  const home = join(dir, 'home');
  const cwd = join(dir, 'work');
  mkdirSync(join(home, '.config', 'switchboard'), { recursive: true });
  mkdirSync(join(cwd, '.switchboard'), { recursive: true });
  const configFile = join(home, '.config', 'switchboard', 'config.json');
  if (files.config !== undefined) {
    writeFileSync(configFile, typeof files.config === 'string' ? files.config : JSON.stringify(files.config));
    chmodSync(configFile, files.configMode ?? 0o600);
  }
  if (files.adminToken !== undefined) writeFileSync(join(cwd, '.switchboard', 'admin-token'), `${files.adminToken}\n`);
  const warnings: string[] = [];
  const resolve = (flags: SettingsSources['flags'] = {}, env: NodeJS.ProcessEnv = {}) =>
    resolveSettings({ flags, env, homeDir: home, cwd, warn: (m) => warnings.push(m) });
  return { dir, home, cwd, configFile, warnings, resolve };
}

describe('resolveSettings', () => {
  it('falls back to the loopback default URL and no token', () => {
    const s = sandbox().resolve();
    assert.deepEqual({ ...s }, { url: DEFAULT_URL, token: undefined, tokenSource: 'none' });
  });

  it('prefers the flag over the environment over the config file, for URL and token separately', () => {
    const box = sandbox({ config: { url: 'http://file:1', token: 'file-token' } });
    const env = { SWITCHBOARD_URL: 'http://env:2', SWITCHBOARD_TOKEN: 'env-token' };
    assert.deepEqual({ ...box.resolve({ url: 'http://flag:3', token: 'flag-token' }, env) }, {
      url: 'http://flag:3',
      token: 'flag-token',
      tokenSource: 'flag',
    });
    assert.deepEqual({ ...box.resolve({}, env) }, { url: 'http://env:2', token: 'env-token', tokenSource: 'env' });
    assert.deepEqual({ ...box.resolve({}, { SWITCHBOARD_URL: 'http://env:2' }) }, {
      url: 'http://env:2',
      token: 'file-token',
      tokenSource: 'config',
    });
    assert.deepEqual({ ...box.resolve() }, { url: 'http://file:1', token: 'file-token', tokenSource: 'config' });
  });

  it('reads the config file named by SWITCHBOARD_CLI_CONFIG', () => {
    const box = sandbox();
    const other = join(box.dir, 'elsewhere.json');
    writeFileSync(other, JSON.stringify({ url: 'http://other:9/' }), { mode: 0o600 });
    assert.equal(box.resolve({}, { SWITCHBOARD_CLI_CONFIG: other }).url, 'http://other:9');
  });

  it('uses the admin-token file of the data dir when nothing else gives a token', () => {
    const box = sandbox({ adminToken: 'sbt_admin' });
    assert.deepEqual({ ...box.resolve() }, { url: DEFAULT_URL, token: 'sbt_admin', tokenSource: 'admin-token' });
    const dataDir = join(box.dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'admin-token'), 'sbt_other\n');
    assert.equal(box.resolve({}, { SWITCHBOARD_DATA_DIR: dataDir }).token, 'sbt_other');
  });

  it('warns when a config file holding a token is readable by others, and only then', () => {
    const loose = sandbox({ config: { token: 'secret' }, configMode: 0o644 });
    loose.resolve();
    assert.equal(loose.warnings.length, 1);
    assert.match(loose.warnings[0] ?? '', /chmod 600/);
    assert.ok(!(loose.warnings[0] ?? '').includes('secret'), 'the warning does not show the token');
    const tight = sandbox({ config: { token: 'secret' }, configMode: 0o600 });
    tight.resolve();
    assert.deepEqual(tight.warnings, []);
    const urlOnly = sandbox({ config: { url: 'http://x:1' }, configMode: 0o644 });
    urlOnly.resolve();
    assert.deepEqual(urlOnly.warnings, []);
  });

  it('does not read the config file when flags and environment give both values', () => {
    const box = sandbox({ config: '{ not json' });
    assert.equal(box.resolve({ url: 'http://a:1', token: 't' }).token, 't');
    assert.throws(() => box.resolve({ url: 'http://a:1' }), UsageError);
  });

  it('rejects URLs that are not http(s) and trims a trailing slash', () => {
    const box = sandbox();
    assert.throws(() => box.resolve({ url: 'ftp://x' }), UsageError);
    assert.throws(() => box.resolve({ url: 'not a url' }), UsageError);
    assert.equal(box.resolve({ url: 'https://host:8443/base/' }).url, 'https://host:8443/base');
  });
});
