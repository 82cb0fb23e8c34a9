/** The WebSocket transport's settings (environment only; defaults below). */
import { z } from 'zod';

const int = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? fallback : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'must be a whole number' }).int().min(min).max(max),
  );

/** The environment variables of this file (merged into the env schema). */
export const wsEnvShape = {
  SWITCHBOARD_WS_HEARTBEAT_MS: int(50, 600_000, 30_000),
  SWITCHBOARD_WS_SEND_LIMIT: int(1024, 1024 * 1024 * 1024, 4 * 1024 * 1024),
  SWITCHBOARD_WS_STALL_MS: int(10, 600_000, 10_000),
  SWITCHBOARD_WS_RECHECK_MS: int(50, 600_000, 2000),
  SWITCHBOARD_WS_MAX_SUBSCRIPTIONS: int(1, 100_000, 1000),
};

/** What the WebSocket transport needs, resolved once. */
export interface WsConfig {
  /** Ping interval; a connection that has not answered the previous ping by the next one is dropped (default: 30 s). */
  readonly heartbeatMs: number;
  /** Most bytes queued unsent to one connection; above it the connection is closed as a slow consumer (default: 4 MiB). */
  readonly sendLimit: number;
  /** How long a subscription may wait for a backed-up connection to drain before it is closed as a slow consumer (default: 10 s). */
  readonly stallMs: number;
  /** How often each connection's credential is checked again, so a revoked one closes its sockets (default: 2 s). */
  readonly recheckMs: number;
  /** Open subscriptions one connection may hold (default: 1,000). */
  readonly maxSubscriptions: number;
}

export function resolveWs(e: { readonly [K in keyof typeof wsEnvShape]: number }): WsConfig {
  return {
    heartbeatMs: e.SWITCHBOARD_WS_HEARTBEAT_MS,
    sendLimit: e.SWITCHBOARD_WS_SEND_LIMIT,
    stallMs: e.SWITCHBOARD_WS_STALL_MS,
    recheckMs: e.SWITCHBOARD_WS_RECHECK_MS,
    maxSubscriptions: e.SWITCHBOARD_WS_MAX_SUBSCRIPTIONS,
  };
}
