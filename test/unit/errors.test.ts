import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AgentError, ERROR_CATALOG, SwitchboardError, isSwitchboardError, type ErrorCode } from '../../src/core/domain/errors.ts';
import { HTTP_STATUS, errorBody } from '../../src/transports/http/error-map.ts';

const CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];
const DOC_PATH = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

/** Rows of docs/errors.md's table: code → documented HTTP status. */
function documentedCodes(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of readFileSync(DOC_PATH, 'utf8').split('\n')) {
    const m = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      assert.ok(!rows.has(m[1]), `${m[1]} is documented twice`);
      rows.set(m[1], Number(m[2]));
    }
  }
  return rows;
}

describe('the error catalog', () => {
  it('names every code in SCREAMING_SNAKE with a default message', () => {
    for (const code of CODES) {
      assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code);
      assert.ok(ERROR_CATALOG[code].message.length > 0, code);
    }
  });

  it('keeps INTERNAL and STORE_UNAVAILABLE messages away from clients', () => {
    assert.equal(ERROR_CATALOG.INTERNAL.exposed, false);
    assert.equal(ERROR_CATALOG.STORE_UNAVAILABLE.exposed, false);
  });

  for (const code of CODES) {
    it(`maps ${code} to a 4xx or 5xx HTTP status`, () => {
      const status = HTTP_STATUS[code];
      assert.equal(typeof status, 'number', `${code} has no HTTP status`);
      assert.ok(status >= 400 && status <= 599, `${code} -> ${status}`);
    });
  }

  it('has no HTTP status for a code that is not in the catalog', () => {
    assert.deepEqual(Object.keys(HTTP_STATUS).sort(), [...CODES].sort());
  });
});

describe('docs/errors.md', () => {
  const documented = documentedCodes();

  for (const code of CODES) {
    it(`documents ${code} with the status the HTTP transport uses`, () => {
      assert.ok(documented.has(code), `${code} is missing from docs/errors.md`);
      assert.equal(documented.get(code), HTTP_STATUS[code], `status of ${code}`);
    });
  }

  it('documents no code that is not in the catalog', () => {
    const unknown = [...documented.keys()].filter((c) => !(c in ERROR_CATALOG));
    assert.deepEqual(unknown, []);
  });
});

describe('SwitchboardError', () => {
  it('defaults its message to the catalog text', () => {
    for (const code of CODES) assert.equal(new SwitchboardError(code).message, ERROR_CATALOG[code].message);
  });

  it('keeps its code, details, cause and retry hint', () => {
    const cause = new Error('db down');
    const err = new SwitchboardError('STORE_UNAVAILABLE', 'x', { a: 1 }, { cause, retryAfterMs: 2000 });
    assert.equal(err.code, 'STORE_UNAVAILABLE');
    assert.deepEqual(err.details, { a: 1 });
    assert.equal(err.cause, cause);
    assert.equal(err.retryAfterMs, 2000);
    assert.equal(err.exposed, false);
    assert.ok(err instanceof Error);
  });

  it('is recognised by isSwitchboardError, optionally narrowed by code', () => {
    const err = new SwitchboardError('TASK_TERMINAL');
    assert.equal(isSwitchboardError(err), true);
    assert.equal(isSwitchboardError(err, 'TASK_TERMINAL'), true);
    assert.equal(isSwitchboardError(err, 'TASK_NOT_FOUND'), false);
    assert.equal(isSwitchboardError(new Error('x')), false);
    assert.equal(isSwitchboardError({ code: 'TASK_TERMINAL' }), false);
  });

  it('makes AgentError not retryable unless it says so', () => {
    assert.equal(new AgentError('x').retryable, false);
    const e = new AgentError('rate limited', { retryable: true, retryAfterMs: 500 });
    assert.equal(e.retryable, true);
    assert.equal(e.retryAfterMs, 500);
  });
});

describe('errorBody', () => {
  it('keeps the message and details of an exposed error and adds no request id', () => {
    const err = new SwitchboardError('TASK_TERMINAL', 'The task is already completed', { state: 'completed' });
    assert.deepEqual(errorBody(err, 'req-1'), {
      error: { code: 'TASK_TERMINAL', message: 'The task is already completed', details: { state: 'completed' } },
    });
  });

  it('omits details when an exposed error has none', () => {
    assert.deepEqual(errorBody(new SwitchboardError('AUTH_REQUIRED')), {
      error: { code: 'AUTH_REQUIRED', message: 'Authentication is required' },
    });
  });

  for (const code of CODES.filter((c) => !ERROR_CATALOG[c].exposed)) {
    it(`hides the message and details of ${code} and includes the request id`, () => {
      const err = new SwitchboardError(code, 'connect ECONNREFUSED 10.0.0.5:5432 password=hunter2', { host: '10.0.0.5' });
      const body = errorBody(err, 'req-42');
      assert.deepEqual(body, {
        error: { code, message: ERROR_CATALOG[code].message, request_id: 'req-42' },
      });
      assert.doesNotMatch(JSON.stringify(body), /hunter2|10\.0\.0\.5/);
    });
  }

  it('adds no request id to a hidden error when none is known', () => {
    const body = errorBody(new SwitchboardError('INTERNAL', 'secret stack'));
    assert.deepEqual(body, { error: { code: 'INTERNAL', message: 'Internal error' } });
  });

  it('copies details rather than sharing the error object', () => {
    const details = { a: 1 };
    const body = errorBody(new SwitchboardError('VALIDATION_FAILED', 'bad', details));
    assert.notEqual(body.error.details, details);
    assert.deepEqual(body.error.details, details);
  });
});
