/**
 * Reading an answer of the server with the wire schema of its endpoint: a body of
 * another shape becomes a {@link WireMismatchError} naming the endpoint and the
 * first mismatched field, never a cast that fails later.
 */
import type { z } from 'zod';
import { WireMismatchError } from './cli-errors.ts';

/** `tasks[0].state` for the path ['tasks', 0, 'state']. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

/** Parses `body` (the JSON of `endpoint`'s answer) with `schema`, or throws a WireMismatchError. */
export function decodeWire<S extends z.ZodType>(schema: S, endpoint: string, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new WireMismatchError(endpoint, issue === undefined ? '' : fieldPath(issue.path), issue?.message ?? 'does not match');
}
