/** Stopping a child and everything it started: SIGTERM to the process group, SIGKILL after a grace period. */
import type { ChildProcess } from 'node:child_process';

/** Signals the whole group (the child was spawned `detached`, so its pid is the group id). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM now, SIGKILL after `graceMs` unless the child has exited; resolves on exit. */
export function terminateGroup(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      signalGroup(child, 'SIGKILL'); // grandchildren may outlive the leader
      resolve();
      return;
    }
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL');
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}
