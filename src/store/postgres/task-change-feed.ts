/**
 * Task changes across nodes on PostgreSQL: every commit that changes tasks sends
 * `NOTIFY <channel>, '<node tag>:<id>,<id>…'` in its transaction (delivered only if it
 * commits), and each node LISTENs on a connection of its own, skipping its own tag.
 * Board changes travel the same way on a second channel (`<channel>_board`, project ids),
 * and live output previews on a third (`<channel>_prev`), sent on the listening
 * connection itself outside any transaction (best effort: dropped while it is down);
 * cache invalidations (a user's credentials changed, the policies changed) go the same
 * way on a fourth (`<channel>_auth`).
 * While that connection is down the feed says so (the engine then reads every task
 * from the database) and it reconnects with a growing delay.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql, type Transaction } from 'kysely';
import type { TaskChangeFeed, TaskChangeNotice } from '../../core/ports/task-change-feed.ts';
import type { BoardChangeFeed } from '../../core/ports/board-change-feed.ts';
import type { PreviewRelay } from '../../core/ports/preview-relay.ts';
import type { CacheInvalidation, CacheInvalidations } from '../../core/ports/cache-invalidations.ts';
import type { OutputPreview } from '../../core/domain/event.ts';
import { decodePreviews, encodePreviews } from './preview-payloads.ts';
import type { Database } from '../schema.ts';

/** Task ids per NOTIFY: a payload stays under PostgreSQL's 8,000-byte limit. */
const IDS_PER_NOTIFY = 150;
const MAX_RETRY_MS = 10_000;

/** The channel of a schema: nodes sharing a schema share the channel. */
export function channelFor(schema: string): string {
  return `sb_tasks_${schema}`.slice(0, 57);
}

const boardChannelOf = (channel: string): string => `${channel}_board`;
const previewChannelOf = (channel: string): string => `${channel}_prev`;
const authChannelOf = (channel: string): string => `${channel}_auth`;

function parseInvalidation(body: string): CacheInvalidation | undefined {
  if (body === 'p') return { kind: 'policies' };
  if (body === 'n') return { kind: 'nodes' };
  return body.startsWith('u:') && body.length > 2 ? { kind: 'user', userId: body.slice(2) } : undefined;
}
/** Preview payloads in flight at most; beyond that new batches are dropped (never a backlog). */
const MAX_PREVIEW_SENDS = 8;

export interface PgTaskChanges {
  readonly feed: TaskChangeFeed;
  /** Sends the ids changed in `trx` to the other nodes (on commit). */
  notify(trx: Transaction<Database>, taskIds: readonly string[]): Promise<void>;
  /** Projects whose boards other nodes changed. */
  readonly boards: BoardChangeFeed;
  /** Sends the project whose board `trx` changes to the other nodes (on commit). */
  notifyBoard(trx: Transaction<Database>, projectId: number): Promise<void>;
  /** Live output previews to and from the other nodes. */
  readonly previews: PreviewRelay;
  /** Cached credentials and policies to drop, to and from the other nodes. */
  readonly invalidations: CacheInvalidations;
  close(): Promise<void>;
}

export function createPgTaskChanges(options: { readonly url: string; readonly channel: string }): PgTaskChanges {
  const { channel } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error('Invalid notification channel name');
  const tag = randomBytes(8).toString('hex');
  const boardChannel = boardChannelOf(channel);
  const listeners = new Set<(n: TaskChangeNotice) => void>();
  const boardListeners = new Set<(projectIds: readonly number[]) => void>();
  const previewChannel = previewChannelOf(channel);
  const previewListeners = new Set<(previews: readonly OutputPreview[]) => void>();
  const watchListeners = new Set<(taskId: string) => void>();
  let previewSends = 0;
  const authChannel = authChannelOf(channel);
  const authListeners = new Set<(i: CacheInvalidation) => void>();
  let up = false;
  let closing = false;
  let client: pg.Client | undefined;
  let retryMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;

  const tell = (n: TaskChangeNotice): void => {
    for (const l of listeners) {
      try {
        l(n);
      } catch {
        // a listener's error is its own
      }
    }
  };
  const setUp = (value: boolean): void => {
    if (up === value) return;
    up = value;
    tell({ kind: value ? 'up' : 'down' });
  };

  const lost = (c: pg.Client): void => {
    if (client !== c) return;
    client = undefined;
    setUp(false);
    c.end().catch(() => undefined);
    if (closing) return;
    retryTimer = setTimeout(connect, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  async function connect(): Promise<void> {
    if (closing) return;
    const c = new pg.Client({ connectionString: options.url });
    client = c;
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (msg) => {
      if (msg.payload === undefined) return;
      const colon = msg.payload.indexOf(':');
      if (colon < 0 || msg.payload.slice(0, colon) === tag) return; // our own commits keep our cache current
      if (msg.channel === authChannel) {
        const invalidation = parseInvalidation(msg.payload.slice(colon + 1));
        if (invalidation !== undefined) {
          for (const l of authListeners) {
            try {
              l(invalidation);
            } catch {
              // a listener's error is its own
            }
          }
        }
        return;
      }
      if (msg.channel === previewChannel && msg.payload.startsWith('w:', colon + 1)) {
        const taskId = msg.payload.slice(colon + 3);
        for (const l of watchListeners) {
          try {
            l(taskId);
          } catch {
            // a listener's error is its own
          }
        }
        return;
      }
      if (msg.channel === previewChannel) {
        const previews = decodePreviews(msg.payload.slice(colon + 1));
        if (previews.length > 0) {
          for (const l of previewListeners) {
            try {
              l(previews);
            } catch {
              // a listener's error is its own
            }
          }
        }
        return;
      }
      const ids = msg.payload.slice(colon + 1).split(',');
      if (msg.channel === channel) tell({ kind: 'changed', taskIds: ids });
      else if (msg.channel === boardChannel) {
        const projects = ids.map(Number).filter(Number.isSafeInteger);
        for (const l of boardListeners) {
          try {
            l(projects);
          } catch {
            // a listener's error is its own
          }
        }
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
      await c.query(`LISTEN "${boardChannel}"`);
      await c.query(`LISTEN "${previewChannel}"`);
      await c.query(`LISTEN "${authChannel}"`);
      if (client !== c) return;
      retryMs = 250;
      setUp(true);
    } catch {
      lost(c);
    }
  }
  void connect();

  return {
    feed: {
      subscribe(listener) {
        listeners.add(listener);
        if (up) listener({ kind: 'up' });
        return () => listeners.delete(listener);
      },
    },
    async notify(trx, taskIds) {
      for (let i = 0; i < taskIds.length; i += IDS_PER_NOTIFY) {
        const payload = `${tag}:${taskIds.slice(i, i + IDS_PER_NOTIFY).join(',')}`;
        await sql`select pg_notify(${channel}, ${payload})`.execute(trx);
      }
    },
    boards: {
      subscribe(listener) {
        boardListeners.add(listener);
        return () => boardListeners.delete(listener);
      },
    },
    async notifyBoard(trx, projectId) {
      await sql`select pg_notify(${boardChannel}, ${`${tag}:${projectId}`})`.execute(trx);
    },
    previews: {
      send(previews) {
        const c = client;
        if (c === undefined || !up) return;
        for (const body of encodePreviews(previews)) {
          if (previewSends >= MAX_PREVIEW_SENDS) return;
          previewSends += 1;
          c.query('select pg_notify($1, $2)', [previewChannel, `${tag}:${body}`]).then(
            () => (previewSends -= 1),
            () => (previewSends -= 1),
          );
        }
      },
      subscribe(listener) {
        previewListeners.add(listener);
        return () => previewListeners.delete(listener);
      },
      watching(taskId) {
        const c = client;
        if (c === undefined || !up || taskId.length > 200) return;
        c.query('select pg_notify($1, $2)', [previewChannel, `${tag}:w:${taskId}`]).catch(() => undefined);
      },
      onWatching(listener) {
        watchListeners.add(listener);
        return () => watchListeners.delete(listener);
      },
    },
    invalidations: {
      publish(invalidation) {
        const c = client;
        if (c === undefined || !up) return;
        const body = invalidation.kind === 'user' ? `u:${invalidation.userId}` : invalidation.kind === 'policies' ? 'p' : 'n';
        c.query('select pg_notify($1, $2)', [authChannel, `${tag}:${body}`]).catch(() => undefined);
      },
      subscribe(listener) {
        authListeners.add(listener);
        return () => authListeners.delete(listener);
      },
    },
    async close() {
      closing = true;
      clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      setUp(false);
      await c?.end().catch(() => undefined);
    },
  };
}
