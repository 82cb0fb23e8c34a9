/**
 * Timers driven by a FakeClock: nothing fires until the test calls `advance(ms)`,
 * which moves the clock from one due timer to the next and fires each in order
 * (by due time, then by the order they were set). Deferred work (the commit
 * queue's group-commit boundary) runs when the test settles the timers.
 *
 * `settle()` lets every pending promise run: it yields one turn of the host's event
 * loop (which drains the microtask queue) and runs deferred callbacks, until none
 * are left. No time passes on the clock while it does, so a test can write
 * "submit; settle; expect running" with no sleep and no polling. The turn is
 * given by the test (the core reads no ambient timer), e.g.
 * `() => new Promise((r) => setImmediate(r))`.
 */
import type { TimerHandle, Timers } from '../ports/timers.ts';
import type { FakeClock } from './fake-clock.ts';

interface Scheduled {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

class ManualHandle implements TimerHandle {
  constructor(readonly id: number) {}
  unref(): this {
    return this;
  }
}

/** Turns `settle` may take before it decides the work never ends (a busy loop in the code under test). */
const MAX_TURNS = 10_000;

export class ManualTimers implements Timers {
  private readonly timers = new Map<number, Scheduled>();
  private deferred: (() => void)[] = [];
  private nextId = 1;

  /**
   * @param yieldTurn resolves after one turn of the host's event loop, by which time
   *   every microtask queued before it (and those they queued) has run.
   */
  constructor(
    readonly clock: FakeClock,
    private readonly yieldTurn: () => Promise<void>,
  ) {}

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.clock.now() + Math.max(0, ms), fn });
    return new ManualHandle(id);
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof ManualHandle) this.timers.delete(handle.id);
  }

  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  /** Timers set and not yet fired nor cleared. */
  get pendingCount(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    return this.earliest()?.due;
  }

  /** Runs every pending promise and deferred callback; the clock does not move. */
  async settle(): Promise<void> {
    for (let turns = 0; ; turns++) {
      if (turns > MAX_TURNS) throw new Error('settle(): the code under test keeps deferring work');
      await this.yieldTurn();
      if (this.deferred.length === 0) return;
      for (const fn of this.deferred.splice(0)) fn();
    }
  }

  /**
   * Moves the clock forward by `ms`, firing each timer that falls due on the way at
   * its own due time, in order, and settling after each (so a timer set by a fired
   * one fires too if it is due before the end). Ends with the clock at now + `ms`.
   */
  async advance(ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    await this.settle();
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.due > until) break;
      this.timers.delete(next.id);
      if (next.due > this.clock.now()) this.clock.set(next.due);
      next.fn();
      await this.settle();
    }
    this.clock.set(until);
    await this.settle();
  }

  /** Advances to the earliest pending timer and fires it (and whatever else is due then); false if none is set. */
  async runNext(): Promise<boolean> {
    const due = this.nextDue();
    if (due === undefined) return false;
    await this.advance(Math.max(0, due - this.clock.now()));
    return true;
  }

  private earliest(): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const t of this.timers.values()) if (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}
