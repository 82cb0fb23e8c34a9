/** One printed figure; the table and the --json output are both built from these. */

export type Dialect = 'sqlite' | 'postgres';

export interface Target {
  readonly op: '>=' | '<=' | '<';
  readonly value: number;
}

export interface Figure {
  /** e.g. "(a) throughput HTTP" */
  readonly benchmark: string;
  readonly dialect: Dialect | 'none';
  readonly metric: string;
  /** A number, or a text such as "10000/10000". */
  readonly value: number | string;
  readonly unit: string;
  readonly target?: Target;
  /** Whether the value meets its target (only when there is one). */
  readonly met?: boolean;
}

export function figure(
  benchmark: string,
  dialect: Dialect | 'none',
  metric: string,
  value: number | string,
  unit: string,
  target?: Target,
): Figure {
  if (target === undefined || typeof value !== 'number') return { benchmark, dialect, metric, value, unit };
  const met =
    Number.isFinite(value) &&
    (target.op === '>=' ? value >= target.value : target.op === '<=' ? value <= target.value : value < target.value);
  return { benchmark, dialect, metric, value, unit, target, met };
}

/** Issue targets. */
export const TARGETS = {
  // Echo tasks submit → completed, tasks/s (the throughput issue's targets, about 2 × pg-boss).
  inProcessSqlite: { op: '>=', value: 5000 },
  httpSqlite: { op: '>=', value: 3000 },
  inProcessPostgres: { op: '>=', value: 2500 },
  httpPostgres: { op: '>=', value: 2000 },
  /** Submit → completed p99 at 1,000 tasks/s on SQLite, ms. */
  latencyP99Ms: { op: '<=', value: 20 },
  sseP99Ratio: { op: '<=', value: 1.5 },
  perCallRatio: { op: '>=', value: 0.6 },
  /** A session-authenticated, policy-checked GET state against the bare route. */
  sessionCallRatio: { op: '>=', value: 0.6 },
  /** Streamed text: stub sent → SSE client received, p99 in ms. */
  streamP99Ms: { op: '<=', value: 50 },
  /** Streamed tokens that never reached the SSE client. */
  streamUnseen: { op: '<=', value: 0 },
  /** Stored events per second per streaming task. */
  streamWritesPerSec: { op: '<', value: 20 },
  /** WebSocket delivery p99 over SSE's, same load (no worse). */
  wsP99Ratio: { op: '<=', value: 1 },
  /** Server memory per idle WebSocket connection, KB. */
  wsIdleKb: { op: '<', value: 50 },
} as const satisfies Record<string, Target>;
