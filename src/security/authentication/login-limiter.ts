/**
 * Failed-login limits: at most `perUser` failures per username and `perIp` per client
 * address within a sliding window. In memory, per node (each node limits on its own).
 * The configuration resolves the limits (defaults there: 5, 20, 15 minutes).
 */
export interface LoginLimits {
  readonly perUser: number;
  readonly perIp: number;
  readonly windowMs: number;
}


export interface LoginLimiter {
  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfter(username: string, ip: string, now: number): number;
  recordFailure(username: string, ip: string, now: number): void;
  /** A success clears the user's failures (not the address's). */
  recordSuccess(username: string): void;
}

/** Most keys kept; beyond it the oldest are dropped (bounded memory under a spray of names). */
const MAX_KEYS = 100_000;

export function createLoginLimiter(limits: LoginLimits): LoginLimiter {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number): number[] => {
    const list = (failures.get(key) ?? []).filter((t) => t > now - limits.windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  const wait = (list: number[], limit: number, now: number): number => {
    if (list.length < limit) return 0;
    const oldest = list[list.length - limit] ?? now;
    return Math.max(1, oldest + limits.windowMs - now);
  };
  return {
    retryAfter(username, ip, now) {
      return Math.max(wait(recent(`u:${username.toLowerCase()}`, now), limits.perUser, now), wait(recent(`i:${ip}`, now), limits.perIp, now));
    },
    recordFailure(username, ip, now) {
      for (const key of [`u:${username.toLowerCase()}`, `i:${ip}`]) {
        const list = recent(key, now);
        list.push(now);
        failures.delete(key);
        failures.set(key, list);
      }
      while (failures.size > MAX_KEYS) {
        const first = failures.keys().next();
        if (first.done === true) break;
        failures.delete(first.value);
      }
    },
    recordSuccess(username) {
      failures.delete(`u:${username.toLowerCase()}`);
    },
  };
}
