/** The LoginLimiter port: failed attempts counted per account and per client address within a sliding window. */

/** At most `perUser` failures per username (or device id) and `perIp` per address within `windowMs`. */
export interface LoginLimits {
  readonly perUser: number;
  readonly perIp: number;
  readonly windowMs: number;
}

/**
 * Counts failed guesses. In memory on one node (SQLite); in the database when nodes
 * share one (PostgreSQL), so the limits hold across them.
 */
export interface LoginLimiter {
  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfter(username: string, ip: string, now: number): Promise<number>;
  recordFailure(username: string, ip: string, now: number): Promise<void>;
  /** A success clears the user's failures (not the address's). */
  recordSuccess(username: string): Promise<void>;
}
