/**
 * wait_task: blocks until a task is finished or waits for input (or the timeout),
 * sending a progress notification for every stored event when the request carries a
 * progress token. It reads the runtime's event stream, so it ends the moment the
 * event is committed, on this node or another.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Caller } from '../../core/domain/caller.ts';
import { isPreview, type TaskEvent } from '../../core/domain/event.ts';
import type { TaskState } from '../../core/domain/task-states.ts';
import { isTerminal } from '../../core/domain/transitions.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { taskToWire, taskView } from '../../wire/task.ts';
import { guarded } from './tool-result.ts';

/** The tool's name (the HTTP route answers its calls as a stream). */
export const WAIT_TOOL = 'wait_task';

/** The longest wait one call may ask for (default wait: 30 s, under the 60 s request timeout of common clients); a client waits longer by calling again. */
export const MAX_WAIT_S = 600;

/** True when a caller has something to look at: a result, an error, a question or an approval. */
const settled = (state: TaskState): boolean => isTerminal(state) || state === 'waiting';

/** The line a progress notification shows for an event. */
function progressMessage(e: TaskEvent): string {
  const what = e.type === 'state_change' ? `state ${e.state}` : e.type;
  return e.message === null ? what : `${what}: ${e.message.slice(0, 500)}`;
}

const WAIT = {
  title: 'Wait for a task',
  description:
    'Waits until the task has finished (completed, failed, cancelled) or waits for input (waiting: answer it with ' +
    'answer_task, or decide its approval with approve_task), at most timeout_s seconds; then returns it. ' +
    'timed_out is true when it is still working. Sends a progress notification per event when asked to.',
  inputSchema: z.object({
    task_id: z.uuid({ error: 'task_id must be a UUID' }),
    timeout_s: z.number().int().min(1).max(MAX_WAIT_S).default(30).describe(`Seconds to wait at most (at most ${MAX_WAIT_S})`),
  }),
  outputSchema: z.object({ task: taskView, timed_out: z.boolean() }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers wait_task on `server`; it acts as `caller`. */
export function registerWaitTool(server: McpServer, runtime: Runtime, caller: Caller, logger: Logger): void {
  server.registerTool(
    WAIT_TOOL,
    WAIT,
    (a, extra) =>
      guarded(WAIT_TOOL, logger, async () => {
        const token = extra._meta?.progressToken;
        const deadline = new AbortController();
        const timer = setTimeout(() => deadline.abort(), a.timeout_s * 1000);
        // Ends on the timeout, or when the client cancels the request or goes away.
        const signal = AbortSignal.any([deadline.signal, extra.signal]);
        try {
          let task = await runtime.getTask(caller, a.task_id);
          if (!settled(task.state)) {
            // From the state just read: no event is missed between the read and the stream.
            const events = await runtime.stream(caller, a.task_id, { afterSeq: task.lastSeq, signal });
            for await (const e of events) {
              if (isPreview(e)) continue;
              if (token !== undefined) {
                await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: e.seq, message: progressMessage(e) } });
              }
              if (e.type === 'state_change' && settled(e.state)) break;
            }
            task = await runtime.getTask(caller, a.task_id);
          }
          return { task: taskToWire(task), timed_out: !settled(task.state) };
        } finally {
          clearTimeout(timer);
        }
      }),
  );
}
