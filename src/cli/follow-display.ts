/**
 * How a followed task is shown. Three displays share one interface: a live status
 * line on a terminal (tty-display.ts), one plain line per event when piped, and
 * NDJSON for programs.
 */
import { formatDuration, formatEventLine, formatQuestion, formatResult } from './format.ts';
import type { EventView } from '../wire/event.ts';
import type { TaskView } from '../wire/task.ts';

/** Receives what happens while following; `finish` gets the final state once. */
export interface FollowDisplay {
  /** A line about the task before its events, e.g. "Submitted task …". */
  intro(text: string): void;
  event(e: EventView): void;
  reconnecting(attempt: number, reason: string): void;
  finish(task: TaskView): void;
  /** Stops timers and restores the terminal; safe to call twice. */
  close(): void;
}

/** Output streams of a display (injectable for tests). */
export interface DisplayStreams {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Writes how a finished task ended: the result on stdout, a failure on stderr. */
export function writeOutcome(task: TaskView, { out, err }: DisplayStreams, showCompleted: boolean): void {
  if (task.state === 'completed') {
    if (showCompleted) {
      const took = task.execution_time === null ? '' : ` in ${formatDuration(task.execution_time)}`;
      out.write(`✔ completed${took}\n`);
    }
    const result = formatResult(task.result);
    if (result !== '') out.write(`${result}\n`);
  } else if (task.state === 'failed') {
    err.write(`switchboard: task ${task.task_id} failed: ${task.error ?? 'no reason given'}\n`);
  } else if (task.state === 'cancelled') {
    err.write(`switchboard: task ${task.task_id} was cancelled${task.error !== null ? `: ${task.error}` : ''}\n`);
  } else {
    err.write(`switchboard: the event stream ended while task ${task.task_id} is ${task.state}\n`);
  }
}

/** One line per event, for logs and pipes. */
export function createPlainDisplay(streams: DisplayStreams): FollowDisplay {
  const { out, err } = streams;
  return {
    intro: (text) => out.write(`${text}\n`),
    event(e) {
      out.write(`${formatEventLine(e)}\n`);
      if (e.event_type === 'state_change' && e.state === 'waiting' && e.message !== null) {
        out.write(`${formatQuestion(e.task_id, e.message, e.metadata)}\n`);
      }
    },
    reconnecting: (attempt, reason) => err.write(`switchboard: event stream lost (${reason}); reconnecting (attempt ${attempt})…\n`),
    finish: (task) => writeOutcome(task, streams, false),
    close() {},
  };
}

/** NDJSON on stdout: each event as it comes, then the final task state; notes go to stderr. */
export function createJsonDisplay(streams: DisplayStreams): FollowDisplay {
  const { out, err } = streams;
  return {
    intro() {},
    event(e) {
      out.write(`${JSON.stringify(e)}\n`);
      if (e.event_type === 'state_change' && e.state === 'waiting' && e.message !== null) {
        err.write(`${formatQuestion(e.task_id, e.message, e.metadata)}\n`);
      }
    },
    reconnecting: (attempt, reason) => err.write(`switchboard: event stream lost (${reason}); reconnecting (attempt ${attempt})…\n`),
    finish: (task) => out.write(`${JSON.stringify(task)}\n`),
    close() {},
  };
}
