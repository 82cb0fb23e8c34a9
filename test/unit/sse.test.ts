import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SSE_HEARTBEAT, parseLastEventId, sseFrame } from '../../src/transports/http/sse.ts';

describe('sseFrame', () => {
  it('writes an id line, a data line and a blank line', () => {
    assert.equal(sseFrame(7, '{"seq":7}'), 'id: 7\ndata: {"seq":7}\n\n');
  });

  it('writes an empty data field', () => {
    assert.equal(sseFrame(1, ''), 'id: 1\ndata: \n\n');
  });

  it('carries JSON.stringify output of text with line breaks, which escapes them', () => {
    const data = JSON.stringify({ message: 'line one\nline two\r\n' });
    assert.equal(sseFrame(3, data), `id: 3\ndata: ${data}\n\n`);
  });

  for (const [label, data] of [
    ['a line feed', 'a\nb'],
    ['a carriage return', 'a\rb'],
    ['a CRLF', 'a\r\nb'],
    ['a trailing line feed', 'ab\n'],
    ['a leading carriage return', '\rab'],
  ] as const) {
    it(`refuses data containing ${label}`, () => {
      assert.throws(() => sseFrame(1, data), /single line/);
    });
  }

  it('ends the heartbeat comment with a blank line', () => {
    assert.ok(SSE_HEARTBEAT.startsWith(':'));
    assert.ok(SSE_HEARTBEAT.endsWith('\n\n'));
  });
});

describe('parseLastEventId', () => {
  const cases: readonly [string, string | string[] | undefined, number | undefined][] = [
    ['no header', undefined, undefined],
    ['an empty header', '', undefined],
    ['an empty list', [], undefined],
    ['zero', '0', 0],
    ['a sequence number', '42', 42],
    ['leading zeros', '007', 7],
    ['fifteen digits', '999999999999999', 999_999_999_999_999],
    ['the first of repeated headers', ['5', '9'], 5],
  ];
  for (const [label, value, expected] of cases) {
    it(`returns ${String(expected)} for ${label}`, () => {
      assert.equal(parseLastEventId(value), expected);
    });
  }

  const malformed: readonly [string, string | string[]][] = [
    ['a negative number', '-1'],
    ['a decimal', '1.5'],
    ['a word', 'abc'],
    ['sixteen digits', '1234567890123456'],
    ['surrounding spaces', ' 5 '],
    ['a hex number', '0x10'],
    ['an exponent', '1e3'],
    ['a trailing line break', '5\n'],
    ['a malformed first header', ['x', '5']],
  ];
  for (const [label, value] of malformed) {
    it(`returns NaN for ${label}`, () => {
      assert.ok(Number.isNaN(parseLastEventId(value)));
    });
  }
});
