/**
 * Child side of lib/children.ts: announce one JSON line on stdout, and shut down on
 * SIGTERM/SIGINT or when the parent goes away (stdin closes) — never an orphan.
 */

export function announce(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

/** Runs `close` once on a stop signal or when stdin ends, then exits (cleanly, so --cpu-prof is written). */
export function exitWith(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 15_000);
    force.unref();
    close()
      .catch((err: unknown) => process.stderr.write(`close failed: ${String(err)}\n`))
      .finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  process.stdin.on('end', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();
}
