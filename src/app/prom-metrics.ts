/** Prometheus metrics for the engine and the HTTP transport (one registry per app, no globals). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineMetrics } from '../core/ports/engine-metrics.ts';

export interface AppMetrics {
  readonly engine: EngineMetrics;
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchboard_process_' });
  const submitted = new Counter({
    name: 'switchboard_tasks_submitted_total',
    help: 'Tasks accepted',
    labelNames: ['agent_type'],
    registers: [registry],
  });
  const finished = new Counter({
    name: 'switchboard_tasks_finished_total',
    help: 'Tasks that reached a terminal state',
    labelNames: ['agent_type', 'state'],
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: 'switchboard_task_run_seconds',
    help: 'From first start to terminal state',
    labelNames: ['agent_type'],
    buckets: [0.001, 0.01, 0.1, 1, 10, 60, 600, 3600],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'switchboard_commit_batch_items',
    help: 'Writes per group commit',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: 'switchboard_commit_seconds',
    help: 'Duration of a group commit',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1],
    registers: [registry],
  });
  const http = new Histogram({
    name: 'switchboard_http_request_seconds',
    help: 'HTTP request duration',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  return {
    engine: {
      taskSubmitted: (agentType) => submitted.inc({ agent_type: agentType }),
      taskFinished: (agentType, state, runMs) => {
        finished.inc({ agent_type: agentType, state });
        if (runMs !== null) runSeconds.observe({ agent_type: agentType }, runMs / 1000);
      },
      commitFlushed: (items, ms) => {
        batchSize.observe(items);
        commitSeconds.observe(ms / 1000);
      },
    },
    observeHttp: (route, method, status, seconds) => http.observe({ route, method, status: String(status) }, seconds),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
