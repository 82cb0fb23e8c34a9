/** The real clock, timers and ids behind the core's ports. */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/ports/clock.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { Timers } from '../core/ports/timers.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  // After pending IO callbacks: requests that arrived together share one commit.
  defer: (fn) => void setImmediate(fn),
};

export const uuidIds: Ids = { uuid: () => randomUUID() };
