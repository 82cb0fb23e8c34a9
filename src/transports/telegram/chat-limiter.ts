/** A per-chat flood limit (pure, clock injected): a fixed window of one minute per chat. */

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
