/**
 * Durable SQLite commits with the flush off the event loop. The connection runs
 * with `synchronous = NORMAL`: a commit writes its WAL frames (into the page
 * cache) and returns without waiting for the disk. Before the connection is
 * released, the WAL file is flushed with fdatasync on libuv's thread pool: the
 * event loop keeps running (streams, requests, building the next batch) while
 * the disk works, and since every query goes through this one connection, no
 * reader sees a write before it is on disk and answered, as with FULL.
 *
 * Why this is as safe as FULL: recovery replays the WAL up to its last frame
 * whose checksum and salt are valid and that ends a transaction; frames of a
 * transaction whose flush did not finish are either on disk whole, or ignored.
 * Checkpoints (the checkpointer's connection, with FULL) flush the WAL before
 * copying it into the database file and the file before the WAL is reused.
 */
import { closeSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';
import {
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';

/** fs.fdatasync's shape (tests wrap the real one to watch the order of flushes and answers). */
export type FlushFile = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

/** The WAL file of one database, and whether the connection wrote since its last flush. */
export class WalFlusher {
  #fd: number;
  #dirty = false;
  #checkedAt = 0;

  constructor(
    private readonly walPath: string,
    private readonly sync: FlushFile = fdatasync,
  ) {
    this.#fd = openSync(walPath, 'r');
  }

  /** A statement that may write is about to run on the connection. */
  markDirty(): void {
    this.#dirty = true;
  }

  /** Whether the connection wrote since the last call (and forgets it). */
  takeDirty(): boolean {
    const dirty = this.#dirty;
    this.#dirty = false;
    return dirty;
  }

  /** Flushes the WAL file to disk. */
  flush(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.sync(this.#currentFd(), (err) => {
        if (err === null) resolve();
        else reject(new Error(`flushing the SQLite WAL failed: ${err.message}`, { cause: err }));
      });
    });
  }

  close(): void {
    closeSync(this.#fd);
  }

  /**
   * The WAL is only replaced when every connection closed (ours stays open); should
   * it be, follow the new file. Checked at most once a second: two stat calls per
   * flush showed in the profile.
   */
  #currentFd(): number {
    const now = Date.now();
    if (now - this.#checkedAt < 1000) return this.#fd;
    this.#checkedAt = now;
    if (fstatSync(this.#fd).ino !== statSync(this.walPath).ino) {
      closeSync(this.#fd);
      this.#fd = openSync(this.walPath, 'r');
    }
    return this.#fd;
  }
}

/** Kysely's SQLite driver, whose connection is released only after what it wrote is flushed. */
class FlushingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly wal: WalFlusher,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    return this.inner.acquireConnection();
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inner.savepoint?.(connection, name, compile);
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inner.rollbackToSavepoint?.(connection, name, compile);
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inner.releaseSavepoint?.(connection, name, compile);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // Flushed under the hold: the next holder (a reader too) sees only what is on disk.
    try {
      if (this.wal.takeDirty()) await this.wal.flush();
    } finally {
      await this.inner.releaseConnection(connection);
    }
  }
  async destroy(): Promise<void> {
    await this.inner.destroy();
    this.wal.close();
  }
}

/** SqliteDialect whose writes are answered after their WAL flush. */
export class FlushingSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly wal: WalFlusher,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new FlushingDriver(super.createDriver(), this.wal);
  }
}
