/** The Timers port: the only timers the core uses. */

/** Timers, injected so the core has no hidden clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` after the current IO phase (group-commit boundary). */
  defer(fn: () => void): void;
}

export interface TimerHandle {
  unref?(): unknown;
}
