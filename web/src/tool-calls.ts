/**
 * A task's events as the task page lists them: each tool (skill) call becomes one item
 * with its input and, once it has returned, its status and result, joined by call id
 * from the `tool call` and `tool …: ok|error` log events. Kept free of the DOM so it is
 * unit-tested under Node.
 */
import type { EventView } from './wire.ts';

export interface ToolCallItem {
  readonly kind: 'tool';
  readonly seq: number;
  readonly tool: string;
  readonly callId: string;
  readonly input: string | null;
  /** null while the call runs. */
  readonly status: 'ok' | 'error' | null;
  readonly result: string | null;
}

export type EventItem = { readonly kind: 'event'; readonly event: EventView } | ToolCallItem;

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function eventItems(events: readonly EventView[]): EventItem[] {
  const items: EventItem[] = [];
  const calls = new Map<string, number>();
  for (const e of events) {
    const m = e.metadata;
    const tool = text(m?.['tool']);
    const callId = text(m?.['call_id']);
    if (e.event_type !== 'log' || m === null || tool === null || callId === null) {
      items.push({ kind: 'event', event: e });
      continue;
    }
    const status = m['status'] === 'ok' || m['status'] === 'error' ? m['status'] : null;
    const at = calls.get(callId);
    if (status !== null && at !== undefined) {
      const call = items[at] as ToolCallItem;
      items[at] = { ...call, status, result: text(m['result']) };
      continue;
    }
    calls.set(callId, items.length);
    items.push({ kind: 'tool', seq: e.seq, tool, callId, input: text(m['input']), status, result: status === null ? null : text(m['result']) });
  }
  return items;
}

/** JSON text indented for reading; anything else as it is. */
export function pretty(value: string): string {
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}
