/** The Telegram transport's pure parts: message splitting, button data, the per-chat limit, friendly errors, status lines. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGE_LIMIT, clip, splitText } from '../../src/transports/telegram/text-chunks.ts';
import { decodeApproval, encodeApproval } from '../../src/transports/telegram/callback-data.ts';
import { createAttemptLimiter, createChatLimiter } from '../../src/transports/telegram/chat-limiter.ts';
import { friendlyError } from '../../src/transports/telegram/friendly-error.ts';
import { statusText } from '../../src/transports/telegram/task-follower.ts';
import { SwitchboardError } from '../../src/core/domain/errors.ts';
import { normalizeLinkCode, generateLinkCode } from '../../src/security/authentication/telegram-links.ts';

describe('Telegram text', () => {
  it('splits long text into pieces within the limit, preferring line breaks, losing nothing', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const parts = splitText(text);
    assert.ok(parts.length > 1 && parts.every((p) => p.length <= MESSAGE_LIMIT));
    assert.equal(parts.join('\n'), text);
    assert.deepEqual(splitText(''), ['']);
    assert.equal(splitText('y'.repeat(10_000)).join(''), 'y'.repeat(10_000));
    assert.equal(clip('z'.repeat(5000)).length, MESSAGE_LIMIT);
  });
});

describe('approval buttons', () => {
  it('round-trips task and approval ids within 64 bytes and refuses foreign data', () => {
    const choice = { approved: true, taskId: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab', approvalId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' };
    const data = encodeApproval(choice);
    assert.ok(Buffer.byteLength(data) <= 64);
    assert.deepEqual(decodeApproval(data), choice);
    assert.equal(decodeApproval('something-else'), undefined);
    assert.throws(() => encodeApproval({ ...choice, taskId: 'not-a-uuid' }));
  });
});

describe('the per-chat limit', () => {
  it('lets a chat send its quota per minute, then refuses until the minute is over', () => {
    const limiter = createChatLimiter(3);
    assert.deepEqual([0, 1, 2, 3].map((t) => limiter.allow('c', t)), [true, true, true, false]);
    assert.equal(limiter.allow('other', 5), true, 'chats are counted apart');
    assert.equal(limiter.allow('c', 60_001), true);
  });
});

describe('wrong link codes', () => {
  it('allows a few failures per window, then a wait until the oldest leaves it', () => {
    const limiter = createAttemptLimiter(2, 1000);
    limiter.fail('u', 0);
    assert.equal(limiter.retryAfter('u', 10), 0);
    limiter.fail('u', 100);
    assert.equal(limiter.retryAfter('u', 200), 800);
    assert.equal(limiter.retryAfter('other', 200), 0, 'users are counted apart');
    assert.equal(limiter.retryAfter('u', 999), 1);
    assert.equal(limiter.retryAfter('u', 1000), 0, 'the first failure left the window');
  });
});

describe('friendly errors and status lines', () => {
  it('names the missing permission, keeps exposed messages to one line and hides the rest', () => {
    assert.equal(friendlyError(new SwitchboardError('AUTH_FORBIDDEN', 'x', { permission: 'project:write' })), '⛔ Permission denied: you need project:write.');
    assert.equal(friendlyError(new SwitchboardError('PROJECT_NOT_FOUND')), '⚠️ No such project');
    assert.equal(friendlyError(new Error('secret internals at line 3')), '⚠️ Something went wrong; try again later.');
    assert.equal(friendlyError(new SwitchboardError('INTERNAL', 'db password wrong')), '⚠️ Something went wrong; try again later.');
  });

  it('shows state, progress and the last message', () => {
    assert.equal(statusText('DEMO-1 on echo', { state: 'running', progress: 40, error: null }, 'working'), '⚙️ DEMO-1 on echo: running 40%\nworking');
    assert.equal(statusText('T', { state: 'failed', progress: 40, error: 'boom' }, 'x'), '❌ T: failed\nboom');
  });

  it('makes link codes of 12 unambiguous characters and reads them forgivingly', () => {
    const code = generateLinkCode();
    assert.match(code, /^[A-HJ-NP-Z2-9]{12}$/);
    assert.equal(normalizeLinkCode(` ${code.slice(0, 6).toLowerCase()}-${code.slice(6)} `), code);
  });
});
