/**
 * Checkpoints the SQLite WAL from a worker thread. A checkpoint copies the log
 * into the database file and flushes it; done by the writing connection, it
 * blocks the event loop for milliseconds every few hundred commits (the tail of
 * stream latency). A PASSIVE checkpoint on a second connection runs beside the
 * writer without blocking it.
 */
import { Worker } from 'node:worker_threads';

/** Starts the checkpointer; the returned function stops it (final checkpoint included). */
export function startWalCheckpointer(file: string, intervalMs = 250): () => Promise<void> {
  const worker = new Worker(new URL('./wal-checkpoint-worker.cjs', import.meta.url), { workerData: { file, intervalMs } });
  worker.unref();
  return () =>
    new Promise<void>((resolve) => {
      const done = (): void => void worker.terminate().then(() => resolve(), () => resolve());
      const timer = setTimeout(done, 2000);
      worker.once('message', () => {
        clearTimeout(timer);
        done();
      });
      worker.once('error', done);
      worker.postMessage('stop');
    });
}
