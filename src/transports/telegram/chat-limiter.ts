/**
 * Limits of the bot (pure, clock injected): a per-chat flood limit (a fixed window
 * of one minute per chat), and a limit on wrong link codes per Telegram user.
 */

export interface ChatLimiter {
  /** True when the chat may be served now; false when it sent too much within the minute. */
  allow(chatId: string, now: number): boolean;
}

export function createChatLimiter(perMinute: number): ChatLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    allow(chatId, now) {
      const w = windows.get(chatId);
      if (w === undefined || now - w.start >= 60_000) {
        // Old windows are dropped as chats come back, so the map stays small.
        if (windows.size > 10_000) windows.clear();
        windows.set(chatId, { start: now, count: 1 });
        return true;
      }
      w.count += 1;
      return w.count <= perMinute;
    },
  };
}

export interface AttemptLimiter {
  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string, now: number): number;
  /** Counts a failed attempt of `key`. */
  fail(key: string, now: number): void;
}

/** At most `max` failures per key within `windowMs`; then the key waits until the oldest leaves the window. */
export function createAttemptLimiter(max: number, windowMs: number): AttemptLimiter {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number): number[] => (failures.get(key) ?? []).filter((t) => now - t < windowMs);
  return {
    retryAfter(key, now) {
      const times = recent(key, now);
      return times.length < max ? 0 : (times[0] ?? now) + windowMs - now;
    },
    fail(key, now) {
      if (failures.size > 10_000) failures.clear();
      failures.set(key, [...recent(key, now), now].slice(-max));
    },
  };
}
