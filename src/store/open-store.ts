/** Opens the configured database (SQLite file or PostgreSQL), migrates it, and builds the stores. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, sql, type Dialect } from 'kysely';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { PolicyStore } from '../core/ports/policy-store.ts';
import type { BoardStore } from '../core/ports/board-store.ts';
import type { TaskChangeFeed } from '../core/ports/task-change-feed.ts';
import type { PreviewRelay } from '../core/ports/preview-relay.ts';
import type { CacheInvalidations } from '../core/ports/cache-invalidations.ts';
import type { LoginLimiter, LoginLimits } from '../core/ports/login-limiter.ts';
import { createKyselyLoginLimiter } from './kysely-login-limiter.ts';
import { createKyselyNodeRegistry } from './kysely-node-registry.ts';
import type { NodeRegistry } from '../core/ports/node-registry.ts';
import type { TaskStore } from '../core/ports/task-store.ts';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrate.ts';
import { createSqliteDialect } from './sqlite/sqlite-dialect.ts';
import type { FlushFile } from './sqlite/wal-sync.ts';
import { lockSqliteDatabase } from './sqlite/sqlite-lock.ts';
import { createPostgresDialect } from './postgres/postgres-dialect.ts';
import type { BoardChangeFeed } from '../core/ports/board-change-feed.ts';
import { channelFor, createPgTaskChanges, type PgTaskChanges } from './postgres/task-change-feed.ts';
import { lockNodeId, type NodeLock } from './postgres/node-lock.ts';
import { createKyselyTaskStore, type DialectName } from './kysely-task-store.ts';
import { createKyselyCredentialStore } from './kysely-credential-store.ts';
import { createKyselySessionMemoryStore } from './kysely-session-memory-store.ts';
import type { SessionMemoryStore } from '../core/ports/session-memory-store.ts';
import { createKyselyPolicyStore } from './kysely-policy-store.ts';
import { createKyselyBoardStore } from './kysely-board-store.ts';
import { createKyselyDeviceStore } from './kysely-device-store.ts';
import type { DeviceStore } from '../core/ports/device-store.ts';
import { createKyselyAgentConfigStore } from './kysely-agent-config-store.ts';
import type { AgentConfigStore } from '../core/ports/agent-config-store.ts';
import { createKyselyTelegramStore } from './kysely-telegram-store.ts';
import type { TelegramStore } from '../core/ports/telegram-store.ts';

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly dataDir: string; readonly file?: string; readonly synchronous?: 'full' | 'normal' }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

export interface OpenedStore {
  readonly dialect: DialectName;
  readonly tasks: TaskStore & AuditStore;
  /** Other nodes' task changes (PostgreSQL); absent on SQLite, where this process is the only writer. */
  readonly taskChanges?: TaskChangeFeed;
  /** Cached credentials and policies to drop on the other nodes (PostgreSQL only). */
  readonly invalidations?: CacheInvalidations;
  /** Live output previews to and from other nodes (PostgreSQL only). */
  readonly previews?: PreviewRelay;
  /** Other nodes' board changes (PostgreSQL only). */
  readonly boardChanges?: BoardChangeFeed;
  readonly credentials: CredentialStore;
  /** Session memory and the tasks of a session (its history). */
  readonly sessionMemory: SessionMemoryStore;
  readonly policies: PolicyStore;
  /** Projects, board tasks, executions and activity. */
  readonly board: BoardStore;
  readonly devices: DeviceStore;
  /** Agents defined over the API. */
  readonly agentConfigs: AgentConfigStore;
  /** The Telegram bot's links, codes and shared polling state. */
  readonly telegram: TelegramStore;
  /** Remote worker nodes as every server sees them (PostgreSQL only; on SQLite one server knows them all). */
  readonly nodeRegistry?: NodeRegistry;
  /** The raw handle, for tests that tamper with rows and for health checks. */
  readonly db: Kysely<Database>;
  /**
   * Takes a node id for this process (PostgreSQL: held by one live server at a time; see
   * postgres/node-lock.ts) and resolves with the one it holds: `wanted`, or for a default
   * id held by another live server, `wanted` with a random suffix. SQLite: `wanted` (its
   * file lock already allows one server).
   */
  claimNodeId(wanted: string, explicit: boolean): Promise<string>;
  /**
   * A limiter counting in the database under `scope`, for nodes sharing it (PostgreSQL);
   * undefined on SQLite, where one server counts in memory.
   */
  sharedLimiter(scope: 'login' | 'device', limits: LoginLimits): LoginLimiter | undefined;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(
  location: StoreLocation,
  deps: {
    readonly ids: Ids;
    readonly hashAudit: AuditHasher;
    /** SQLite: flushes the WAL file (default fs.fdatasync; tests wrap it to watch the order). */
    readonly flushFile?: FlushFile;
  },
): Promise<OpenedStore> {
  let dialect: Dialect;
  let afterClose: () => Promise<void> = async () => undefined;
  let skipFlush: (() => void) | undefined;
  if (location.kind === 'sqlite') {
    mkdirSync(location.dataDir, { recursive: true, mode: 0o700 });
    const file = location.file ?? join(location.dataDir, 'switchboard.db');
    const lock = lockSqliteDatabase(file);
    let sqlite;
    try {
      sqlite = createSqliteDialect(file, location.synchronous ?? 'full', deps.flushFile);
    } catch (err) {
      lock.release();
      throw err;
    }
    dialect = sqlite.dialect;
    skipFlush = sqlite.skipFlush;
    afterClose = async () => {
      await sqlite.afterClose();
      lock.release();
    };
  } else {
    dialect = await createPostgresDialect({ url: location.url, ...(location.schema ? { schema: location.schema } : {}) });
  }
  const db = new Kysely<Database>({ dialect });
  let changes: PgTaskChanges | undefined;
  let schema: string | undefined;
  try {
    schema =
      location.kind === 'postgres'
        ? (location.schema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s)
        : undefined;
    await migrateToLatest(db as Kysely<unknown>, schema);
    // Nodes sharing a schema tell each other which tasks they changed.
    if (location.kind === 'postgres' && schema !== undefined) {
      changes = createPgTaskChanges({ url: location.url, channel: channelFor(schema) });
    }
  } catch (err) {
    await db.destroy();
    await afterClose();
    throw err;
  }
  const feed = changes;
  let nodeLock: NodeLock | undefined;
  return {
    dialect: location.kind,
    tasks: createKyselyTaskStore({
      db,
      dialect: location.kind,
      ids: deps.ids,
      hashAudit: deps.hashAudit,
      ...(skipFlush !== undefined ? { skipSqliteFlush: skipFlush } : {}),
      ...(feed !== undefined ? { notifyChanged: (trx, taskIds) => feed.notify(trx, taskIds) } : {}),
    }),
    ...(feed !== undefined ? { taskChanges: feed.feed, previews: feed.previews, invalidations: feed.invalidations } : {}),
    credentials: createKyselyCredentialStore({ db, isPg: location.kind === 'postgres', ids: deps.ids, hashAudit: deps.hashAudit }),
    sessionMemory: createKyselySessionMemoryStore({ db, isPg: location.kind === 'postgres', ids: deps.ids, hashAudit: deps.hashAudit }),
    policies: createKyselyPolicyStore({ db, isPg: location.kind === 'postgres', ids: deps.ids, hashAudit: deps.hashAudit }),
    board: createKyselyBoardStore({
      db,
      isPg: location.kind === 'postgres',
      ids: deps.ids,
      hashAudit: deps.hashAudit,
      ...(feed !== undefined ? { notifyBoard: (trx, projectId) => feed.notifyBoard(trx, projectId) } : {}),
    }),
    ...(feed !== undefined ? { boardChanges: feed.boards, nodeRegistry: createKyselyNodeRegistry(db) } : {}),
    devices: createKyselyDeviceStore({ db, isPg: location.kind === 'postgres', ids: deps.ids, hashAudit: deps.hashAudit }),
    agentConfigs: createKyselyAgentConfigStore({ db, isPg: location.kind === 'postgres', ids: deps.ids, hashAudit: deps.hashAudit }),
    telegram: createKyselyTelegramStore({ db, isPg: location.kind === 'postgres', ids: deps.ids, hashAudit: deps.hashAudit }),
    db,
    async claimNodeId(wanted, explicit) {
      if (location.kind !== 'postgres' || schema === undefined) return wanted;
      await nodeLock?.release();
      nodeLock = await lockNodeId({ url: location.url, schema, wanted, explicit });
      return nodeLock.nodeId;
    },
    sharedLimiter(scope, limits) {
      return location.kind === 'postgres' ? createKyselyLoginLimiter(db, scope, limits) : undefined;
    },
    async ping() {
      await db.selectFrom('audit_head').select('id').limit(1).execute();
    },
    async close() {
      await feed?.close();
      // Ends the driver too: closes the SQLite file / ends the pool.
      await db.destroy();
      await afterClose();
      // Last: the id is free for a restart only once this server writes nothing more.
      await nodeLock?.release();
    },
  };
}
