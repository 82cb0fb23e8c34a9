// Worker thread of wal-checkpointer.ts: PASSIVE WAL checkpoints on a second connection.
// Plain CommonJS so the worker starts without the TypeScript loader.
const { workerData, parentPort } = require('node:worker_threads');
const Database = require('better-sqlite3');

const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy: the next round will do it
  }
}, workerData.intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // the WAL stays; the next open recovers it
  }
  db.close();
  parentPort.postMessage('stopped');
});
