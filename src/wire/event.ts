/** The wire model of a task's events (JSON listing and SSE `data:`) and of a live output preview. */
import { z } from 'zod';
import { TaskEventTypes, type OutputPreview, type TaskEvent } from '../core/domain/event.ts';
import { iso, jsonObject } from './primitives.ts';

export const eventsQuery = z.object({
  after_seq: z.coerce.number().int().min(0).optional().describe('Replay events after this sequence number'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000).describe('JSON form only'),
});

export const eventView = z.object({
  task_id: z.string(),
  seq: z.number(),
  event_type: z.enum(TaskEventTypes),
  state: z.string(),
  message: z.string().nullable(),
  progress: z.number().nullable(),
  metadata: jsonObject.nullable(),
  timestamp: z.string(),
});
export type EventView = z.infer<typeof eventView>;

export function eventToWire(e: TaskEvent): EventView {
  return {
    task_id: e.taskId,
    seq: e.seq,
    event_type: e.type,
    state: e.state,
    message: e.message,
    progress: e.progress,
    metadata: e.data,
    timestamp: iso(e.createdAt),
  };
}

const eventJsonMemo = new WeakMap<TaskEvent, string>();

/** An event's wire JSON, computed once however many streams deliver it. */
export function eventJson(e: TaskEvent): string {
  let json = eventJsonMemo.get(e);
  if (json === undefined) {
    json = JSON.stringify(eventToWire(e));
    eventJsonMemo.set(e, json);
  }
  return json;
}

/** A live output preview on the wire (SSE `event: preview`). */
export function previewJson(p: OutputPreview): string {
  return JSON.stringify({ task_id: p.taskId, attempt: p.attempt, chunk: p.chunk, offset: p.offset, text: p.text });
}
