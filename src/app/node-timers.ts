/** The real clock, timers and ids behind the core's ports. */
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
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

/**
 * Time-ordered UUIDs (version 7): records inserted together get neighbouring
 * keys, so the B-tree indexes on ids (tasks, task events, audit event ids) grow
 * at their right edge instead of dirtying a random page per row. Ids are never
 * secrets here (session and token secrets are separate random values).
 */
export const uuidIds: Ids = { uuid: () => uuidv7({ random: randomBytes16() }) };

// One call into the system's random source costs ~5 µs whatever its size (a
// task makes several ids), so draw 16-byte slices from a pool refilled 4 KB at a time.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomBytes16(): Uint8Array {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 16;
  return pool.subarray(poolOffset - 16, poolOffset);
}
