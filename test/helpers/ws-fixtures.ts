/**
 * Replays a WebSocket fixture (test/fixtures/ws/*.json) against a real server. A
 * fixture is a list of exchanges: a message to send (JSON, or a raw string), the frames
 * expected back, matched as shapes, and optionally the close that must follow. Frames
 * are matched per stream — the request `id` for `result`/`error`, the `subscription`
 * for `event`/`preview`/`end` — in order within it, so interleaving between streams
 * does not matter. In a shape, objects match when every key given matches, arrays
 * element by element; `$any`, `$string`, `$number`, `$uuid`, `$iso` match kinds of
 * value; `$save:NAME` matches anything and remembers it; `${NAME}` anywhere in a
 * string is replaced by a remembered value (or ADMIN_TOKEN, RUN). `skip_others: true`
 * on an expected frame skips frames of its stream that do not match it.
 */
import assert from 'node:assert/strict';
import type { Frame, WsClient } from './ws-client.ts';

export interface WsFixture {
  readonly description: string;
  readonly exchanges: readonly {
    readonly send: unknown;
    readonly expect?: readonly Record<string, unknown>[];
    readonly close?: { readonly code: number };
  }[];
  /** Frames that must not have arrived by the end. */
  readonly never?: readonly Record<string, unknown>[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function substitute(value: unknown, vars: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{(\w+)\}$/.exec(value);
    if (whole?.[1] !== undefined && vars.has(whole[1])) return vars.get(whole[1]);
    return value.replace(/\$\{(\w+)\}/g, (m, name: string) => (vars.has(name) ? String(vars.get(name)) : m));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  }
  return value;
}

/** Why `actual` does not match `shape`, or undefined when it does; saves `$save:` values into `saved`. */
function mismatch(shape: unknown, actual: unknown, path: string, saved: Map<string, unknown>): string | undefined {
  if (typeof shape === 'string' && shape.startsWith('$')) {
    if (shape.startsWith('$save:')) {
      if (actual === undefined) return `${path}: missing`;
      saved.set(shape.slice(6), actual);
      return undefined;
    }
    const ok: Record<string, boolean> = {
      $any: actual !== undefined,
      $string: typeof actual === 'string',
      $number: typeof actual === 'number',
      $uuid: typeof actual === 'string' && UUID.test(actual),
      $iso: typeof actual === 'string' && !Number.isNaN(Date.parse(actual)) && actual.endsWith('Z'),
    };
    if (!(shape in ok)) return `${path}: unknown placeholder ${shape}`;
    return ok[shape] ? undefined : `${path}: ${JSON.stringify(actual)} is not ${shape}`;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(actual) || actual.length !== shape.length) return `${path}: ${JSON.stringify(actual)} is not an array of ${shape.length}`;
    for (let i = 0; i < shape.length; i++) {
      const m = mismatch(shape[i], actual[i], `${path}[${i}]`, saved);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  if (shape !== null && typeof shape === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path}: ${JSON.stringify(actual)} is not an object`;
    for (const [k, v] of Object.entries(shape)) {
      if (k === 'skip_others') continue;
      const m = mismatch(v, (actual as Record<string, unknown>)[k], `${path}.${k}`, saved);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  return Object.is(shape, actual) ? undefined : `${path}: ${JSON.stringify(actual)} is not ${JSON.stringify(shape)}`;
}

const streamOf = (f: Record<string, unknown>): string =>
  f['type'] === 'result' || f['type'] === 'error' ? `req:${JSON.stringify(f['id'])}` : `sub:${String(f['subscription'])}`;

/** Replays `fixture` on `client` (a fresh connection); `vars` seeds the substitutions. */
export async function replayWsFixture(client: WsClient, fixture: WsFixture, vars: Map<string, unknown>): Promise<void> {
  for (const [n, exchange] of fixture.exchanges.entries()) {
    const message = substitute(exchange.send, vars);
    client.send(message);
    for (const raw of exchange.expect ?? []) {
      const shape = substitute(raw, vars) as Record<string, unknown>;
      const stream = streamOf(shape);
      for (;;) {
        const frame: Frame = await client.next((f) => f.type === 'closed' || (f.type === shape['type'] && streamOf(f) === stream));
        assert.notEqual(frame.type, 'closed', `exchange ${n}: the socket closed (${JSON.stringify(frame)}) while waiting for ${JSON.stringify(shape)}`);
        const saved = new Map<string, unknown>();
        const why = mismatch(shape, frame, 'frame', saved);
        if (why === undefined) {
          for (const [k, v] of saved) vars.set(k, v);
          break;
        }
        if (shape['skip_others'] !== true) assert.fail(`exchange ${n} (${JSON.stringify(exchange.send).slice(0, 120)}): ${why}\n  got ${JSON.stringify(frame).slice(0, 600)}`);
      }
    }
    if (exchange.close !== undefined) {
      const closed = await client.closed;
      assert.equal(closed.code, exchange.close.code, `exchange ${n}: close code (reason ${closed.reason})`);
    }
  }
  for (const raw of fixture.never ?? []) {
    const shape = substitute(raw, vars);
    const hit = client.frames.find((f) => mismatch(shape, f, 'frame', new Map()) === undefined);
    assert.equal(hit, undefined, `a frame that must not come came: ${JSON.stringify(hit)}`);
  }
}
