/**
 * Frozen wire fixtures: volatile values (ids, times, secrets, hashes, durations) become
 * stable placeholders, and the result is compared with test/fixtures/wire/<name>.json.
 * With UPDATE_WIRE_FIXTURES=1 the files are (re)written instead.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'wire');
export const UPDATING = process.env['UPDATE_WIRE_FIXTURES'] === '1';
const REGENERATE = 'UPDATE_WIRE_FIXTURES=1 npm test -- wire-fixtures';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
const SECRET = /\bsb[a-z]_[A-Za-z0-9_-]{8,}/g;
const HASH = /\b[0-9a-f]{64}\b/g;
const NODE_ID = /\btest-[0-9a-f]{8}\b/g;

/** Keys whose value changes from run to run whatever its form. */
const VOLATILE_KEYS: Record<string, string> = {
  token: '<secret>',
  prefix: '<token-prefix>',
  execution_time: '<duration>',
  duration_ms: '<duration>',
  uptime: '<duration>',
  uptime_seconds: '<duration>',
  next_cursor: '<cursor>',
  nonce: '<nonce>',
  version: '<version>',
};

function normaliseString(s: string): string {
  return s
    .replace(SECRET, '<secret>')
    .replace(UUID, '<uuid>')
    .replace(ISO, '<timestamp>')
    .replace(HASH, '<hash>')
    .replace(NODE_ID, '<node-id>');
}

/** A copy of `value` with every volatile value replaced by its placeholder. */
export function normalise(value: unknown, extraKeys: Readonly<Record<string, string>> = {}): unknown {
  const keys = { ...VOLATILE_KEYS, ...extraKeys };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return normaliseString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) {
        const placeholder = keys[k];
        out[k] = placeholder !== undefined && inner !== null && inner !== undefined ? placeholder : walk(inner);
      }
      return out;
    }
    return v;
  };
  return walk(value);
}

/** Compares a normalised wire value with its fixture, or writes the fixture when updating. */
export function matchFixture(name: string, value: unknown): void {
  const file = join(FIXTURE_DIR, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (UPDATING) {
    mkdirSync(FIXTURE_DIR, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  const shown = relative(process.cwd(), file);
  assert.ok(existsSync(file), `wire fixture ${shown} is missing; generate it with: ${REGENERATE}`);
  const expected: unknown = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepStrictEqual(
    value,
    expected,
    `the ${name} response differs from wire fixture ${shown}. If the wire change is intended, regenerate the fixtures with: ${REGENERATE} (and review the diff)`,
  );
}
