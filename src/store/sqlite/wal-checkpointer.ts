/**
 * Checkpoints the SQLite WAL from a worker thread. A checkpoint copies the log
 * into the database file and flushes it; done by the writing connection, it
 * blocks the event loop for milliseconds every few hundred commits (the tail of
 * stream latency). A PASSIVE checkpoint on a second connection runs beside the
 * writer without blocking it.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: next round */ }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.postMessage('stopped');
  }
});
`;

/** Starts the checkpointer; the returned function stops it (final checkpoint included). */
export function startWalCheckpointer(file: string, intervalMs = 250): () => Promise<void> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, module, intervalMs } });
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
