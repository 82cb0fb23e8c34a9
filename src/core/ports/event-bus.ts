/** The EventBus port: fan-out of committed events, live previews and control signals. */
import type { OutputPreview, TaskEvent } from '../domain/event.ts';
import type { ApprovalDecision } from './tool-gate.ts';

/** In-process fan-out of committed events and control signals. */
export interface EventBus {
  publish(event: TaskEvent): void;
  subscribe(taskId: string, listener: (event: TaskEvent) => void): () => void;
  /** Live output previews (this node only; never stored). */
  preview(preview: OutputPreview): void;
  subscribePreviews(taskId: string, listener: (preview: OutputPreview) => void): () => void;
  /** Signals to whichever node runs a task (cancel, answer). */
  signal(signal: TaskSignal): void;
  onSignal(listener: (signal: TaskSignal) => void): () => void;
}

export type TaskSignal =
  | { readonly kind: 'cancel'; readonly taskId: string }
  | { readonly kind: 'answer'; readonly taskId: string; readonly answer: string }
  | { readonly kind: 'approval'; readonly taskId: string; readonly approvalId: string; readonly decision: ApprovalDecision };
