/** The EngineMetrics port: counters the engine reports. */
import type { TaskState } from '../domain/task-states.ts';

/** Counters the engine reports; the app exports them (Prometheus). */
export interface EngineMetrics {
  taskSubmitted(agentType: string): void;
  taskFinished(agentType: string, state: TaskState, runMs: number | null): void;
  commitFlushed(items: number, ms: number): void;
}
