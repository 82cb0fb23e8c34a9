/** Session lifetimes and failed-login limits: environment variables, YAML keys, defaults and errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

/** Loads the configuration with `env` (and a YAML file when `yaml` is given) in a fresh data dir. */
function load(env: Record<string, string>, yaml?: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-session-config-'));
  try {
    if (yaml !== undefined) writeFileSync(join(dir, 'switchboard.config.yaml'), yaml);
    return loadConfig({ SWITCHBOARD_DATA_DIR: dir, ...env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('session and login configuration', () => {
  it('defaults to 24 h idle, 7 days absolute, and 5 / 20 failures per 15 minutes', () => {
    const c = load({});
    assert.deepEqual(c.sessions, { idleMs: 86_400_000, absoluteMs: 7 * 86_400_000 });
    assert.deepEqual(c.loginLimits, { perUser: 5, perIp: 20, windowMs: 900_000 });
  });

  it('reads the environment variables', () => {
    const c = load({
      SWITCHBOARD_SESSION_IDLE_MS: '3600000',
      SWITCHBOARD_SESSION_MAX_MS: '86400000',
      SWITCHBOARD_LOGIN_MAX_FAILURES_PER_USER: '3',
      SWITCHBOARD_LOGIN_MAX_FAILURES_PER_IP: '50',
      SWITCHBOARD_LOGIN_WINDOW_MS: '60000',
    });
    assert.deepEqual(c.sessions, { idleMs: 3_600_000, absoluteMs: 86_400_000 });
    assert.deepEqual(c.loginLimits, { perUser: 3, perIp: 50, windowMs: 60_000 });
  });

  it('reads the YAML keys, and the environment wins over them', () => {
    const yaml = 'sessions:\n  idle_ms: 1800000\n  max_ms: 7200000\nlogin:\n  max_failures_per_user: 7\n  window_ms: 120000\n';
    const fromFile = load({}, yaml);
    assert.deepEqual(fromFile.sessions, { idleMs: 1_800_000, absoluteMs: 7_200_000 });
    assert.deepEqual(fromFile.loginLimits, { perUser: 7, perIp: 20, windowMs: 120_000 });
    const both = load({ SWITCHBOARD_SESSION_IDLE_MS: '600000', SWITCHBOARD_LOGIN_MAX_FAILURES_PER_USER: '2' }, yaml);
    assert.deepEqual(both.sessions, { idleMs: 600_000, absoluteMs: 7_200_000 });
    assert.equal(both.loginLimits.perUser, 2);
  });

  it('names the variable or the key of an invalid value', () => {
    assert.throws(() => load({ SWITCHBOARD_SESSION_IDLE_MS: 'soon' }), (err: unknown) => err instanceof ConfigError && /SWITCHBOARD_SESSION_IDLE_MS/.test(err.message));
    assert.throws(() => load({ SWITCHBOARD_LOGIN_MAX_FAILURES_PER_IP: '0' }), (err: unknown) => err instanceof ConfigError && /SWITCHBOARD_LOGIN_MAX_FAILURES_PER_IP/.test(err.message));
    assert.throws(() => load({}, 'sessions:\n  idle_ms: -5\n'), (err: unknown) => err instanceof ConfigError && /sessions\.idle_ms/.test(err.message));
    assert.throws(() => load({}, 'login:\n  max_failures: 3\n'), (err: unknown) => err instanceof ConfigError && /login/.test(err.message));
  });
});
