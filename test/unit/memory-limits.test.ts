/** The pure parts of session memory and history: key and value limits, tasks as turns, turns as chat messages. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MEMORY_LIMITS, checkMemoryKey, encodeMemoryValue, taskToTurn } from '../../src/core/domain/session-memory.ts';
import { isSwitchboardError } from '../../src/core/domain/errors.ts';
import { conversationMessages } from '../../src/agents/llm/conversation.ts';
import type { Task } from '../../src/core/domain/task.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isSwitchboardError(err) ? err.code : String(err);
  }
};

describe('session memory limits', () => {
  it('accepts keys of 1 to 200 printable characters and refuses others', () => {
    assert.equal(codeOf(() => checkMemoryKey('a')), undefined);
    assert.equal(codeOf(() => checkMemoryKey('é'.repeat(MEMORY_LIMITS.maxKeyLength))), undefined);
    assert.equal(codeOf(() => checkMemoryKey('')), 'SESSION_MEMORY_KEY_INVALID');
    assert.equal(codeOf(() => checkMemoryKey('k'.repeat(201))), 'SESSION_MEMORY_KEY_INVALID');
    assert.equal(codeOf(() => checkMemoryKey('line\nbreak')), 'SESSION_MEMORY_KEY_INVALID');
  });

  it('measures a value as the UTF-8 bytes of its JSON text, at most 64 KiB', () => {
    assert.equal(encodeMemoryValue({ a: [1, 'b'] }), '{"a":[1,"b"]}');
    assert.equal(codeOf(() => encodeMemoryValue('x'.repeat(65_536 - 2))), undefined);
    assert.equal(codeOf(() => encodeMemoryValue('x'.repeat(65_536 - 1))), 'SESSION_MEMORY_VALUE_TOO_LARGE');
    // Two bytes per character in UTF-8: half as many characters fit.
    assert.equal(codeOf(() => encodeMemoryValue('é'.repeat(32_768))), 'SESSION_MEMORY_VALUE_TOO_LARGE');
  });
});

describe('conversation history', () => {
  const task = (result: Task['result']): Task => ({ id: 't1', prompt: 'p', result, finishedAt: 5, updatedAt: 4 }) as Task;

  it('turns a task into a turn whose reply is its result as text', () => {
    assert.deepEqual(taskToTurn(task('hi')), { taskId: 't1', prompt: 'p', reply: 'hi', at: 5 });
    assert.equal(taskToTurn(task({ n: 1 })).reply, '{"n":1}');
    assert.equal(taskToTurn(task(null)).reply, '');
  });

  it('puts the turns before the prompt as alternating user and assistant messages, leaving out empty ones', () => {
    const turns = [
      { taskId: 'a', prompt: 'one', reply: 'uno', at: 1 },
      { taskId: 'b', prompt: 'two', reply: '  ', at: 2 },
      { taskId: 'c', prompt: 'three', reply: 'tres', at: 3 },
    ];
    assert.deepEqual(conversationMessages(turns, 'four'), [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'uno' },
      { role: 'user', content: 'three' },
      { role: 'assistant', content: 'tres' },
      { role: 'user', content: 'four' },
    ]);
    assert.deepEqual(conversationMessages([], 'alone'), [{ role: 'user', content: 'alone' }]);
  });
});
