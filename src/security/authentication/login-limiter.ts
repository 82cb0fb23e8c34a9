/**
 * Failed-login limits in memory, for one node: at most `perUser` failures per username
 * and `perIp` per client address within a sliding window. Nodes sharing a PostgreSQL
 * database count in it instead (src/store/kysely-login-limiter.ts). The configuration
 * resolves the limits (defaults there: 5, 20, 15 minutes).
 */
import type { LoginLimiter, LoginLimits } from '../../core/ports/login-limiter.ts';

export type { LoginLimiter, LoginLimits };

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
    async retryAfter(username, ip, now) {
      return Math.max(wait(recent(`u:${username.toLowerCase()}`, now), limits.perUser, now), wait(recent(`i:${ip}`, now), limits.perIp, now));
    },
    async recordFailure(username, ip, now) {
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
    async recordSuccess(username) {
      failures.delete(`u:${username.toLowerCase()}`);
    },
  };
}
