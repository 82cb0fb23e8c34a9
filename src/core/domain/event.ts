/** Task events (the stored history) and output previews (live, never stored). */
import type { JsonObject } from './json.ts';
import type { TaskState } from './task-states.ts';

/** Kinds of task events. `state_change` carries the new state. */
export const TaskEventTypes = ['state_change', 'progress', 'log', 'output', 'error'] as const;

export type TaskEventType = (typeof TaskEventTypes)[number];

/** One entry of a task's history. */
export interface TaskEvent {
  readonly taskId: string;
  readonly seq: number;
  readonly type: TaskEventType;
  /** The task's state after this event. */
  readonly state: TaskState;
  readonly message: string | null;
  readonly progress: number | null;
  readonly data: JsonObject | null;
  readonly createdAt: number;
}

/**
 * Output text shown to watchers the moment an agent streams it, before it is stored.
 * Streamed text is stored in chunks (one `output` event per chunk, at most a few per
 * second, `data: {attempt, chunk}`); previews carry the same text as it arrives, at
 * `offset` within chunk `chunk` of attempt `attempt`. A preview has no sequence
 * number, is never stored nor replayed, and `final` closes its chunk. A client that
 * shows previews prints, for a stored output event, only the part of its message past
 * the preview text it already showed for that chunk.
 */
export interface OutputPreview {
  readonly kind: 'preview';
  readonly taskId: string;
  readonly attempt: number;
  readonly chunk: number;
  readonly offset: number;
  readonly text: string;
  readonly final: boolean;
}

/** What an event stream yields: stored events, and live previews of streamed output between them. */
export type StreamItem = TaskEvent | OutputPreview;

/** True for a preview, false for a stored event. */
export function isPreview(item: StreamItem): item is OutputPreview {
  return 'kind' in item;
}
