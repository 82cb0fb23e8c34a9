/**
 * A Clock whose time moves only when a test says so, so leases, backoffs and
 * timestamps are exact numbers instead of races against the wall clock.
 */
import type { Clock } from '../ports/clock.ts';

/** A Clock for tests: `now()` stays put until `advance` or `set`. */
export class FakeClock implements Clock {
  private current: number;

  /** Starts at `start` (default: a fixed, round instant, so recorded times are readable). */
  constructor(start = Date.UTC(2030, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` (never backward: a Clock never runs backwards). */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.current += ms;
    return this.current;
  }

  /** Moves time forward to `time`; a time in the past is refused. */
  set(time: number): void {
    if (time < this.current) throw new RangeError(`cannot move the clock back from ${this.current} to ${time}`);
    this.current = time;
  }
}
