/** A counting semaphore whose limit can change while permits are held (an agent's concurrency limit). */
export class Semaphore {
  private held = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private limit: number | undefined) {}

  /** Undefined: unlimited. Raising the limit lets waiters in at once. */
  setLimit(limit: number | undefined): void {
    this.limit = limit;
    this.drain();
  }

  get inUse(): number {
    return this.held;
  }

  get max(): number | undefined {
    return this.limit;
  }

  /** True when acquiring now would wait. */
  get isFull(): boolean {
    return this.limit !== undefined && this.held >= this.limit;
  }

  /** Resolves with a release function once a permit is free; rejects with the signal's reason on abort. */
  acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.held += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.held -= 1;
          this.drain();
        });
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
      this.drain();
    });
  }

  private drain(): void {
    while (this.waiters.length > 0 && (this.limit === undefined || this.held < this.limit)) this.waiters.shift()?.();
  }
}
