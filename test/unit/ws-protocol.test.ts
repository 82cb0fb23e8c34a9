/**
 * The WebSocket protocol's frozen parts: every client message of the fixtures parses
 * with the shared schema (the fixtures are version 1's examples), every close code the
 * server uses and every request type is documented in docs/protocol.md.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { HELLO_CLOSE_CODES, helloCloseCode } from '../../src/transports/ws/ws-errors.ts';
import { WS_PROTOCOL_VERSION, WS_SUBPROTOCOL, WsCloseCodes, clientMessage, requestMessage, serverMessage } from '../../src/wire/ws-protocol.ts';

const DOC = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const DIR = new URL('../fixtures/ws/', import.meta.url);
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as { exchanges: { send: unknown; expect?: { type: string }[] }[] } }));

/** Placeholders stand for values of the right kind, so the schema sees a real message. */
const concrete = (v: unknown): unknown => {
  if (typeof v === 'string') return v.includes('${task}') ? '00000000-0000-4000-8000-000000000000' : v.replace(/\$\{\w+\}/g, 'x');
  if (Array.isArray(v)) return v.map(concrete);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, concrete(x)]));
  return v;
};

describe('the WebSocket protocol, version 1', () => {
  it('names its version in the subprotocol', () => {
    assert.equal(WS_SUBPROTOCOL, `switchboard.v${WS_PROTOCOL_VERSION}`);
  });

  it('parses every well-formed client message of the fixtures with the shared schema', () => {
    let checked = 0;
    for (const { file, json } of fixtures) {
      for (const e of json.exchanges) {
        if (typeof e.send !== 'object' || e.send === null) continue;
        const message = concrete(e.send) as { type?: string };
        const expectsSchemaError = (e.expect ?? []).some((x) => (x as { error?: { code?: string } }).error?.code === 'VALIDATION_FAILED' && (x as { id?: unknown }).id !== undefined);
        const ok = clientMessage.safeParse(message).success;
        if (!expectsSchemaError) assert.ok(ok, `${file}: ${JSON.stringify(e.send)}`);
        checked += 1;
      }
    }
    assert.ok(checked > 20, `checked ${checked} messages`);
  });

  it('expects only frame types the server schema knows', () => {
    const known = new Set(serverMessage.options.map((o) => o.shape.type.value));
    for (const { file, json } of fixtures) for (const e of json.exchanges) for (const x of e.expect ?? []) assert.ok(known.has(x.type as never), `${file}: ${x.type}`);
  });

  it('documents every request type and every close code in docs/protocol.md', () => {
    for (const o of requestMessage.options) assert.match(DOC, new RegExp(`\\| \`${o.shape.type.value}\` \\|`), o.shape.type.value);
    for (const [name, code] of Object.entries(WsCloseCodes)) assert.match(DOC, new RegExp(`^\\| ${code} \\|`, 'm'), `${name} (${code})`);
  });

  it('pins the close codes of a refused hello', () => {
    assert.deepEqual(HELLO_CLOSE_CODES, {
      AUTH_REQUIRED: 4401,
      AUTH_INVALID: 4401,
      AUTH_FORBIDDEN: 4403,
      DEVICE_REVOKED: 4403,
      WS_PROTOCOL_UNSUPPORTED: 4426,
      STORE_UNAVAILABLE: 1011,
      INTERNAL: 1011,
    });
    assert.equal(helloCloseCode('VALIDATION_FAILED'), 4400);
    assert.equal(helloCloseCode('MALFORMED_JSON'), 4400);
  });
});
