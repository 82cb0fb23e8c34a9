/**
 * Session memory and history: what a session owns besides its credential. Each
 * session has a key-value memory (JSON values) and the history of its tasks; agents
 * of its tasks read both (the history as a conversation), and only a caller acting
 * in that very session reads or writes them through the API. This file holds the
 * contract (the security module implements it), the store port, the limits and the
 * pure conversions; it does no IO.
 */
import { SwitchboardError } from './errors.ts';
import type { Json } from './json.ts';
import type { Task } from './task.ts';

/** One memory entry. */
export interface MemoryEntry {
  readonly key: string;
  readonly value: Json;
  readonly updatedAt: number;
}

/** One earlier exchange of a session: the prompt of a completed task and its reply. */
export interface ConversationTurn {
  readonly taskId: string;
  readonly prompt: string;
  /** The task's result as text (a string result as is, anything else as JSON). */
  readonly reply: string;
  readonly at: number;
}

/** Limits of one session's memory (API and agents alike). */
export const MEMORY_LIMITS = Object.freeze({
  /** Characters in a key at most. */
  maxKeyLength: 200,
  /** Bytes (UTF-8) of a value's JSON text at most: 64 KiB. */
  maxValueBytes: 64 * 1024,
  /** Keys per session at most. */
  maxKeys: 1000,
});

/** Turns of history an agent gets at most (the most recent ones). */
export const MAX_HISTORY_TURNS = 50;

// Control characters would make keys unreadable in listings and logs.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Throws SESSION_MEMORY_KEY_INVALID for an empty, too long or unprintable key. */
export function checkMemoryKey(key: string): void {
  if (key.length === 0 || key.length > MEMORY_LIMITS.maxKeyLength || CONTROL.test(key)) {
    throw new SwitchboardError(
      'SESSION_MEMORY_KEY_INVALID',
      `A memory key has 1 to ${MEMORY_LIMITS.maxKeyLength} characters and no control characters`,
      { max_key_length: MEMORY_LIMITS.maxKeyLength },
    );
  }
}

/** The value's stored text; throws SESSION_MEMORY_VALUE_TOO_LARGE above the limit. */
export function encodeMemoryValue(value: Json): string {
  const text = JSON.stringify(value);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MEMORY_LIMITS.maxValueBytes) {
    throw new SwitchboardError('SESSION_MEMORY_VALUE_TOO_LARGE', `A memory value is at most ${MEMORY_LIMITS.maxValueBytes} bytes of JSON (this one: ${bytes})`, {
      max_value_bytes: MEMORY_LIMITS.maxValueBytes,
      value_bytes: bytes,
    });
  }
  return text;
}

/** The error of a write that would add a key beyond the limit. */
export function memoryFullError(): SwitchboardError {
  return new SwitchboardError('SESSION_MEMORY_FULL', `A session holds at most ${MEMORY_LIMITS.maxKeys} memory keys; delete some first`, {
    max_keys: MEMORY_LIMITS.maxKeys,
  });
}

/** A task as a conversation turn: its reply is the result as text. */
export function taskToTurn(task: Task): ConversationTurn {
  const reply = typeof task.result === 'string' ? task.result : task.result === null ? '' : JSON.stringify(task.result);
  return { taskId: task.id, prompt: task.prompt, reply, at: task.finishedAt ?? task.updatedAt };
}
