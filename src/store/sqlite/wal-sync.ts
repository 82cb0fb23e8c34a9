/**
 * Durable SQLite commits with the flush off the event loop. The connection runs
 * with `synchronous = NORMAL`: a commit writes its WAL frames (into the page
 * cache) and returns without waiting for the disk. Before the caller of a write
 * sees its result, the WAL file is flushed with fdatasync on libuv's thread pool,
 * after the connection was released: the event loop keeps running (streams,
 * requests, the next commit) while the disk works, and writes released while a
 * flush was under way share the next one. A write is answered only once its
 * frames are on disk, as with `synchronous = FULL`.
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

interface Waiter {
  readonly generation: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Group flushes of one WAL file: each request is met by a flush that began after it. */
export class WalFlusher {
  #fd: number;
  #dirty = false;
  #requested = 0;
  #flushing = false;
  #waiters: Waiter[] = [];
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

  /** Resolves once a flush that began after this call has finished. */
  flush(): Promise<void> {
    const generation = ++this.#requested;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ generation, resolve, reject });
      this.#pump();
    });
  }

  close(): void {
    closeSync(this.#fd);
  }

  #pump(): void {
    if (this.#flushing || this.#waiters.length === 0) return;
    this.#flushing = true;
    const covers = this.#requested;
    let fd: number;
    try {
      fd = this.#currentFd();
    } catch (err) {
      this.#settle(covers, err as Error);
      return;
    }
    this.sync(fd, (err) => this.#settle(covers, err ?? undefined));
  }

  #settle(covers: number, err: Error | undefined): void {
    this.#flushing = false;
    const done = this.#waiters.filter((w) => w.generation <= covers);
    this.#waiters = this.#waiters.filter((w) => w.generation > covers);
    for (const w of done) {
      if (err === undefined) w.resolve();
      else w.reject(new Error(`flushing the SQLite WAL failed: ${err.message}`, { cause: err }));
    }
    this.#pump();
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

/** Kysely's SQLite driver, whose connection release waits for the WAL flush of what it wrote. */
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
    // Read under the hold (the next holder's writes are its own), flush after it:
    // the next holder runs while the disk works.
    const wrote = this.wal.takeDirty();
    await this.inner.releaseConnection(connection);
    if (wrote) await this.wal.flush();
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
