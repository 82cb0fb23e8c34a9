/** Device pairing configuration: SWITCHBOARD_DEVICE_OWNER_APPROVAL over YAML devices.owner_approval over the default (off). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

function withDataDir<T>(yaml: string | undefined, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-device-config-'));
  try {
    if (yaml !== undefined) writeFileSync(join(dir, 'switchboard.config.yaml'), yaml);
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('device owner approval setting', () => {
  it('is off by default', () => {
    withDataDir(undefined, (dir) => assert.equal(loadConfig({ SWITCHBOARD_DATA_DIR: dir }).devices.ownerApproval, false));
  });

  it('is read from the YAML file, and the environment overrides it', () => {
    withDataDir('devices:\n  owner_approval: true\n', (dir) => {
      assert.equal(loadConfig({ SWITCHBOARD_DATA_DIR: dir }).devices.ownerApproval, true);
      assert.equal(loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DEVICE_OWNER_APPROVAL: 'false' }).devices.ownerApproval, false);
      assert.equal(loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DEVICE_OWNER_APPROVAL: '' }).devices.ownerApproval, true);
    });
    withDataDir(undefined, (dir) => assert.equal(loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DEVICE_OWNER_APPROVAL: '1' }).devices.ownerApproval, true));
  });

  it('refuses values that are not booleans, naming the setting', () => {
    withDataDir(undefined, (dir) => {
      assert.throws(() => loadConfig({ SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DEVICE_OWNER_APPROVAL: 'yes' }), (e: unknown) => e instanceof ConfigError && /SWITCHBOARD_DEVICE_OWNER_APPROVAL/.test(e.message));
    });
    withDataDir('devices:\n  owner_approval: maybe\n', (dir) => {
      assert.throws(() => loadConfig({ SWITCHBOARD_DATA_DIR: dir }), (e: unknown) => e instanceof ConfigError && /devices\.owner_approval/.test(e.message));
    });
  });
});
