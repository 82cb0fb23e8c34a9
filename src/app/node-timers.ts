/** The real clock, timers and ids behind the core's ports. */
import { randomUUID } from 'node:crypto';
import type { Clock, Ids, Timers } from '../core/ports.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  // After pending IO callbacks: requests that arrived together share one commit.
  defer: (fn) => void setImmediate(fn),
};

export const uuidIds: Ids = { uuid: () => randomUUID() };
