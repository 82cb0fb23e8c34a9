/**
 * Session lifetimes and failed-login limits: environment variables win over the
 * YAML keys (`sessions:`, `login:`), which win over the defaults stated here.
 */
import { z } from 'zod';

/** A whole number from the environment or the file; an empty value counts as unset. */
const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'must be a whole number' }).int().min(min).max(max).optional(),
  );

const DAY_MS = 86_400_000;
const ms = int(1000, 366 * DAY_MS);
const count = int(1, 1_000_000);

/** The environment variables of this file (merged into the env schema). */
export const sessionEnvShape = {
  SWITCHBOARD_SESSION_IDLE_MS: ms,
  SWITCHBOARD_SESSION_MAX_MS: ms,
  SWITCHBOARD_LOGIN_MAX_FAILURES_PER_USER: count,
  SWITCHBOARD_LOGIN_MAX_FAILURES_PER_IP: count,
  SWITCHBOARD_LOGIN_WINDOW_MS: ms,
};

/** The YAML keys of this file (merged into the file schema). */
export const sessionFileShape = {
  sessions: z.object({ idle_ms: ms, max_ms: ms }).strict().optional(),
  login: z.object({ max_failures_per_user: count, max_failures_per_ip: count, window_ms: ms }).strict().optional(),
};

/** What the YAML file said about sessions and logins. */
export interface SessionFileConfig {
  readonly sessions?: { readonly idle_ms?: number | undefined; readonly max_ms?: number | undefined } | undefined;
  readonly login?:
    | { readonly max_failures_per_user?: number | undefined; readonly max_failures_per_ip?: number | undefined; readonly window_ms?: number | undefined }
    | undefined;
}

/** Resolved session lifetimes. */
export interface SessionLifetimes {
  /** A session ends after this long without a request (default: 24 h). */
  readonly idleMs: number;
  /** …and at the latest this long after it was created (default: 7 days). */
  readonly absoluteMs: number;
}

/** Resolved failed-login limits (per node). */
export interface LoginLimitConfig {
  /** Failures per username within the window (default: 5). */
  readonly perUser: number;
  /** Failures per client address within the window (default: 20). */
  readonly perIp: number;
  /** The sliding window (default: 15 minutes). */
  readonly windowMs: number;
}

// Typed from this file's own shape, so schema.ts (which merges it) is not imported back.
const sessionEnvSchema = z.object(sessionEnvShape);
type SessionEnv = z.infer<typeof sessionEnvSchema>;

export function resolveSessionLifetimes(env: SessionEnv, file: SessionFileConfig): SessionLifetimes {
  return {
    idleMs: env.SWITCHBOARD_SESSION_IDLE_MS ?? file.sessions?.idle_ms ?? DAY_MS,
    absoluteMs: env.SWITCHBOARD_SESSION_MAX_MS ?? file.sessions?.max_ms ?? 7 * DAY_MS,
  };
}

export function resolveLoginLimits(env: SessionEnv, file: SessionFileConfig): LoginLimitConfig {
  return {
    perUser: env.SWITCHBOARD_LOGIN_MAX_FAILURES_PER_USER ?? file.login?.max_failures_per_user ?? 5,
    perIp: env.SWITCHBOARD_LOGIN_MAX_FAILURES_PER_IP ?? file.login?.max_failures_per_ip ?? 20,
    windowMs: env.SWITCHBOARD_LOGIN_WINDOW_MS ?? file.login?.window_ms ?? 15 * 60_000,
  };
}
