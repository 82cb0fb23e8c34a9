/** The Clock port: the only way the core reads the time. */

/** Wall-clock time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}
