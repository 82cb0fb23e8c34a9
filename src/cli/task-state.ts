/** Task states as the CLI reads them off the wire. */
import { parseTaskState } from '../core/domain/task-states.ts';
import { isTerminal } from '../core/domain/transitions.ts';

/** True when a wire `state` is completed, failed or cancelled (the core's table decides). */
export function isTerminalState(state: string): boolean {
  const parsed = parseTaskState(state);
  return parsed !== undefined && isTerminal(parsed);
}
