/**
 * The composition root: the only place that builds concrete parts. Start order:
 * store (migrated) → admin bootstrap → agents → engine (recovers orphans) → HTTP.
 * Stop in reverse: HTTP stops accepting → engine drains/hands back → store closes.
 */
import { VERSION } from './version.ts';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { AgentAdapter } from '../core/ports/agent-adapter.ts';
import type { Authenticator } from '../core/ports/authenticator.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Runtime } from '../core/services/runtime.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import { createEngine, type Engine } from '../core/engine/engine.ts';
import { createLocalEventBus } from '../core/engine/local-event-bus.ts';
import { openStore, type OpenedStore } from '../store/open-store.ts';
import { hashAuditRecord } from '../security/audit-chain.ts';
import { createAuthenticator } from '../security/authenticator.ts';
import { createSecureRuntime } from '../security/secure-runtime.ts';
import { createUserAdmin } from '../security/user-admin.ts';
import { createPolicyAuthorizer } from '../security/policy-authorizer.ts';
import { createPolicyAdmin } from '../security/policy-admin.ts';
import { createGrantAdmin } from '../security/grant-admin.ts';
import { createSessionService, type SessionPolicy } from '../security/session-service.ts';
import { createSessionMemoryService } from '../security/session-memory-service.ts';
import { createDeviceService } from '../security/device-service.ts';
import { createLoginLimiter, type LoginLimits } from '../security/login-limiter.ts';
import { bootstrapAdmin, type BootstrapResult } from '../security/bootstrap-admin.ts';
import { createSkillCatalog } from '../skills/skill-catalog.ts';
import { createSkillInstaller } from '../skills/skill-installer.ts';
import { createSkillAdmin } from '../security/skill-admin.ts';
import { createSkillRunner } from '../skills/skill-runner.ts';
import { createSkillToolGate } from '../security/skill-tools.ts';
import { createHttpServer } from '../transports/http/http-server.ts';
import { createAgentRuntime, createWorktrees } from './agent-runtime.ts';
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
  /** Environment for agents: `env:` references, PATH and keys for discovery (default: process.env). */
  readonly agentEnv?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Login session lifetimes (default: the configuration's, 24 h idle and 7 days absolute unless set). */
  readonly sessions?: SessionPolicy;
  /** Failed-login limits (default: the configuration's, 5 per user and 20 per address per 15 minutes unless set). */
  readonly loginLimits?: LoginLimits;
}

export { VERSION };

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
    const agentRuntime = await createAgentRuntime({
      config,
      store: store.agentConfigs,
      env: options.agentEnv ?? process.env,
      extraAgents: options.extraAgents ?? [],
      clock,
      logger,
      recordAudit: (input) => engine.recordAudit(input),
      // Built below; called only once requests arrive.
      authorizer: { check: (caller, permission, resource) => authorizer.check(caller, permission, resource) },
    });
    const agents = agentRuntime.registry;
    const skills = createSkillCatalog({ installedDir: join(config.dataDir, 'skills'), configuredDirs: config.skillsDirs }, logger);
    // Skills as tools of LLM agents: checked by the same authorizer as the secure runtime (built below; called only once tasks run).
    const tools = createSkillToolGate({
      skills,
      executor: createSkillRunner(),
      authorizer: { check: (caller, permission, resource) => authorizer.check(caller, permission, resource) },
      credentials: store.credentials,
      devices: store.devices,
      recordAudit: (input) => engine.recordAudit(input),
      clock,
      ids: uuidIds,
      logger,
    });
    const engine = createEngine(
      { tools, store: store.tasks, bus: createLocalEventBus(), agents, skills, clock, timers: nodeTimers, ids: uuidIds, logger, metrics: metrics.engine, sessionMemory: store.sessionMemory, ...(store.taskChanges !== undefined ? { taskChanges: store.taskChanges } : {}) },
      {
        nodeId: config.nodeId,
        concurrency: config.concurrency,
        leaseMs: config.leaseMs,
        renewMs: config.renewMs,
        pollMs: config.pollMs,
        maxBatch: 500,
        shutdownGraceMs: config.shutdownGraceMs,
        // SQLite: this process is the only writer, so its own commits keep the cache exact;
        // PostgreSQL: the change feed evicts what other nodes change (no feed, no cache).
        taskCacheSize: 10_000,
      },
    );
    // Policies are cached on the hot path: dropped at once on change here, ≤ 1 s stale on other nodes.
    const authorizer = createPolicyAuthorizer({ store: store.policies, clock }, { cacheMs: 1000 });
    const runtime = createSecureRuntime(engine, authorizer, { sessions: store.credentials, clock });
    const sessionPolicy = options.sessions ?? config.sessions;
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
    const recordAudit = (input: AuditInput) => engine.recordAudit(input);
    const policies = createPolicyAdmin({ store: store.policies, credentials: store.credentials, authorizer, clock, ids: uuidIds, recordAudit });
    const grants = createGrantAdmin({ credentials: store.credentials, clock, recordAudit, evictUser: (userId) => authenticator.evictUser(userId) });
    const devices = createDeviceService(
      { devices: store.devices, clock, ids: uuidIds, recordAudit, evictUser: (userId) => authenticator.evictUser(userId) },
      config.devices,
    );
    const sessions = createSessionService(
      {
        credentials: store.credentials,
        clock,
        ids: uuidIds,
        limiter: createLoginLimiter(options.loginLimits ?? config.loginLimits),
        devices,
        recordAudit: (input) => engine.recordAudit(input),
        evictUser: (userId) => authenticator.evictUser(userId),
      },
      sessionPolicy,
    );
    const sessionMemory = createSessionMemoryService({ store: store.sessionMemory, clock, recordAudit });
    const worktrees = createWorktrees({ dataDir: config.dataDir, findTask: (id) => engine.findTask(id), recordAudit });
    const skillAdmin = createSkillAdmin({
      installer: createSkillInstaller(skills, { skillsDir: join(config.dataDir, 'skills'), ...config.skills }, logger),
      recordAudit,
      authorizer,
    });
    await engine.start();
    agentRuntime.startTimers();
    const http = await createHttpServer(
      { runtime, authenticator, users, sessions, sessionMemory, devices, policies, grants, logger, agentAdmin: agentRuntime.admin, worktrees, skills: skillAdmin },
      {
        bodyLimit: config.bodyLimit,
        skillUploadLimit: config.skills.uploadLimit,
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
          agentRuntime.stopTimers();
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
