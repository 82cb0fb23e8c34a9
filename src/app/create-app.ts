/**
 * The composition root: the only place that builds concrete parts. Start order:
 * store (migrated) → admin bootstrap → agents → engine (recovers orphans) → HTTP.
 * Stop in reverse: HTTP stops accepting → engine drains/hands back → store closes.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { AgentAdapter, Authenticator, Clock } from '../core/ports.ts';
import type { Runtime } from '../core/runtime.ts';
import { createEngine, type Engine } from '../core/engine/engine.ts';
import { createLocalEventBus } from '../core/engine/local-event-bus.ts';
import { openStore, type OpenedStore } from '../store/open-store.ts';
import { hashAuditRecord } from '../security/audit-chain.ts';
import { createAuthenticator } from '../security/authenticator.ts';
import { createSecureRuntime } from '../security/secure-runtime.ts';
import { createUserAdmin } from '../security/user-admin.ts';
import { DEFAULT_SESSION_POLICY, createSessionService, type SessionPolicy } from '../security/session-service.ts';
import { DEFAULT_LOGIN_LIMITS, createLoginLimiter, type LoginLimits } from '../security/login-limiter.ts';
import { bootstrapAdmin, type BootstrapResult } from '../security/bootstrap-admin.ts';
import { createAgentRegistry } from '../agents/registry.ts';
import { createSkillCatalog } from '../skills/skill-catalog.ts';
import { createHttpServer } from '../transports/http/http-server.ts';
import { buildAgents } from './build-agents.ts';
import { createMetrics } from './prom-metrics.ts';
import { nodeTimers, systemClock, uuidIds } from './node-timers.ts';

export interface App {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly store: OpenedStore;
  readonly engine: Engine;
  /** The secured runtime: what transports get. */
  readonly runtime: Runtime;
  readonly authenticator: Authenticator;
  readonly http: FastifyInstance;
  readonly bootstrap: BootstrapResult;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Graceful stop; safe to call twice. */
  close(): Promise<void>;
}

export interface CreateAppOptions {
  readonly config: ResolvedConfig;
  readonly logger?: Logger;
  /** Agents added programmatically (tests, embedding). */
  readonly extraAgents?: readonly AgentAdapter[];
  readonly clock?: Clock;
  /** Login session lifetimes (default: 24 h idle, 7 days absolute). */
  readonly sessions?: SessionPolicy;
  /** Failed-login limits (default: 5 per user, 20 per address, per 15 minutes). */
  readonly loginLimits?: LoginLimits;
}

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Secrets never reach a log line, whatever object is logged. */
const REDACT = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'answer',
];

/** The process logger (stdout, or a file when `destination` is given). */
export function createLogger(level: string, destination?: string): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, pino.destination({ dest: destination, sync: true }));
}

export async function createApp(options: CreateAppOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();

  const store = await openStore(config.database, { ids: uuidIds, hashAudit: hashAuditRecord });
  try {
    const bootstrap = await bootstrapAdmin({ credentials: store.credentials, ids: uuidIds, clock }, config.adminToken);
    const configured = buildAgents(config.agents, process.env, { dataDir: config.dataDir });
    const agents = createAgentRegistry([...configured, ...(options.extraAgents ?? [])]);
    const skills = createSkillCatalog([join(config.dataDir, 'skills'), ...config.skillsDirs], logger);
    const engine = createEngine(
      { store: store.tasks, bus: createLocalEventBus(), agents, skills, clock, timers: nodeTimers, ids: uuidIds, logger, metrics: metrics.engine },
      {
        nodeId: config.nodeId,
        concurrency: config.concurrency,
        leaseMs: config.leaseMs,
        renewMs: config.renewMs,
        pollMs: config.pollMs,
        maxBatch: 500,
        shutdownGraceMs: config.shutdownGraceMs,
        // SQLite: this process is the only writer, so its own commits keep the cache exact.
        taskCacheSize: store.dialect === 'sqlite' ? 10_000 : 0,
      },
    );
    const runtime = createSecureRuntime(engine);
    const sessionPolicy = options.sessions ?? DEFAULT_SESSION_POLICY;
    const authenticator = createAuthenticator(
      { credentials: store.credentials, clock },
      { cacheMs: 1000, cacheSize: 10_000, sessionIdleMs: sessionPolicy.idleMs },
    );
    const users = createUserAdmin({
      credentials: store.credentials,
      clock,
      ids: uuidIds,
      recordAudit: (input) => engine.recordAudit(input),
      evictUser: (userId) => authenticator.evictUser(userId),
    });
    const sessions = createSessionService(
      {
        credentials: store.credentials,
        clock,
        ids: uuidIds,
        limiter: createLoginLimiter(options.loginLimits ?? DEFAULT_LOGIN_LIMITS),
        recordAudit: (input) => engine.recordAudit(input),
        evictUser: (userId) => authenticator.evictUser(userId),
      },
      sessionPolicy,
    );
    await engine.start();
    const http = await createHttpServer(
      { runtime, authenticator, users, sessions, logger },
      {
        bodyLimit: config.bodyLimit,
        sseHeartbeatMs: config.sseHeartbeatMs,
        version: VERSION,
        observe: metrics.observeHttp,
        metrics: metrics.render,
        health: async () => {
          try {
            await store.ping();
            return { ok: true, details: { database: store.dialect, node_id: config.nodeId, version: VERSION, active_tasks: engine.activeCount } };
          } catch {
            return { ok: false, details: { database: 'unreachable', version: VERSION } };
          }
        },
      },
    );

    let closing: Promise<void> | undefined;
    return {
      config,
      logger,
      store,
      engine,
      runtime,
      authenticator,
      http,
      bootstrap,
      async listen() {
        return http.listen({ port: config.port, host: config.host });
      },
      close() {
        closing ??= (async () => {
          await http.close();
          await engine.stop();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
