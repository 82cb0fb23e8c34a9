/**
 * Following a task to its end (submit --follow, watch): pick the display, feed it
 * the event stream, fetch the final state for the result, and map it to an exit code.
 */
import { ExitCodes, ExitError } from './cli-errors.ts';
import type { ApiClient } from './client.ts';
import { taskEvents } from './event-stream.ts';
import { createJsonDisplay, createPlainDisplay, type FollowDisplay } from './follow-display.ts';
import { createTtyDisplay } from './tty-display.ts';

/** Picks the display: NDJSON with --json, the live line on a terminal, else plain lines. */
export function chooseDisplay(json: boolean, env: NodeJS.ProcessEnv = process.env): FollowDisplay {
  const streams = { out: process.stdout, err: process.stderr };
  if (json) return createJsonDisplay(streams);
  if (process.stdout.isTTY === true && env['TERM'] !== 'dumb') {
    return createTtyDisplay({ ...streams, color: env['NO_COLOR'] === undefined || env['NO_COLOR'] === '' });
  }
  return createPlainDisplay(streams);
}

/** An AbortSignal that fires on Ctrl-C while following; `dispose` restores default Ctrl-C. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  return { signal: ac.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

/**
 * Shows every event of `taskId` (history first, then live) until the task ends, then
 * its result. Returns 0 when it completed, 1 when it failed or was cancelled.
 */
export async function followTask(client: ApiClient, taskId: string, display: FollowDisplay, signal: AbortSignal): Promise<number> {
  try {
    for await (const e of taskEvents(client, taskId, { signal, onReconnect: (n, why) => display.reconnecting(n, why) })) {
      display.event(e);
    }
    if (signal.aborted) {
      throw new ExitError(
        ExitCodes.interrupted,
        `stopped following; task ${taskId} goes on. Watch it again: switchboard watch ${taskId} · stop it: switchboard cancel ${taskId}`,
      );
    }
    const task = await client.getTask(taskId);
    display.finish(task);
    return task.state === 'completed' ? ExitCodes.ok : ExitCodes.failure;
  } finally {
    display.close();
  }
}
