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
import { createEngine, type Engine } from '../core/engine/engine.ts';
import { createLocalEventBus } from '../core/engine/local-event-bus.ts';
import { openStore, type OpenedStore } from '../store/open-store.ts';
import { hashAuditRecord } from '../security/audit/audit-chain.ts';
import { createAuthenticator } from '../security/authentication/authenticator.ts';
import { createPolicyAuthorizer } from '../security/authorization/policy-authorizer.ts';
import type { SessionPolicy } from '../security/authentication/session-service.ts';
import type { LoginLimits } from '../security/authentication/login-limiter.ts';
import { bootstrapAdmin, type BootstrapResult } from '../security/authentication/bootstrap-admin.ts';
import { createSkillCatalog } from '../skills/skill-catalog.ts';
import { createSkillRunner } from '../skills/skill-runner.ts';
import { createSkillToolGate } from '../security/authorization/skill-tools.ts';
import { createHttpServer } from '../transports/http/http-server.ts';
import { createAgentRuntime } from '../agents/assembly/agent-runtime.ts';
import { createGuard } from '../security/authorization/guard.ts';
import { buildServices } from './build-services.ts';
import { createBoardGit } from '../integrations/github/board-git.ts';
import { createBoardWorkdirs } from '../services/board/board-workdirs.ts';
import { createMetrics } from './prom-metrics.ts';
import { nodeTimers, systemClock, uuidIds } from './node-timers.ts';
import { fileURLToPath } from 'node:url';
import { createTelegramBot, type TelegramBot } from '../transports/telegram/telegram-bot.ts';
import { createNodeHub } from '../transports/link/node-hub.ts';
import { registerNodeRoutes } from '../transports/link/node-routes.ts';
import { withRemoteAgents } from '../agents/registry/with-remote-agents.ts';
import { createWsTransport, type WsTransport } from '../transports/ws/ws-transport.ts';
import { registerMcpRoute } from '../transports/mcp/mcp-http-route.ts';
import { createMcpServer } from '../transports/mcp/mcp-server.ts';

export interface App {
  readonly config: ResolvedConfig;
  /** The node id this server holds (the configured one, or on a shared database one made unique). */
  readonly nodeId: string;
  readonly logger: Logger;
  readonly store: OpenedStore;
  readonly engine: Engine;
  /** The secured runtime: what transports get. */
  readonly runtime: Runtime;
  readonly authenticator: Authenticator;
  readonly http: FastifyInstance;
  /** The WebSocket transport, served on the HTTP server's port. */
  readonly ws: WsTransport;
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
/** The built web UI (npm install runs `npm run build:web`). */
const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

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
    // Before anything claims or recovers a task under it: one live server per node id.
    const nodeId = await store.claimNodeId(config.nodeId, config.nodeIdExplicit);
    if (nodeId !== config.nodeId) logger.warn({ node: nodeId, configured: config.nodeId }, 'another live server holds the default node id; this one runs under a unique one');
    if (config.database.kind === 'sqlite' && config.database.synchronous === 'normal') {
      logger.warn('SWITCHBOARD_SQLITE_SYNCHRONOUS=normal: commits are not flushed to disk; a power loss may lose the last acknowledged tasks (a process crash loses none)');
    }
    const bootstrap = await bootstrapAdmin({ credentials: store.credentials, ids: uuidIds, clock }, config.adminToken);
    // Decisions first: everything below that checks a permission gets this authorizer.
    // Policies are cached on the hot path: dropped at once on change here, ≤ 1 s stale on other nodes.
    const authorizer = createPolicyAuthorizer({ store: store.policies, clock }, { cacheMs: 1000 });
    // Board tasks' executions run in their task's worktree; the board reads the same ones.
    const boardGit = createBoardGit(config.github.token !== undefined ? { token: config.github.token } : {});
    const workdirs = createBoardWorkdirs({ board: store.board, tasks: store.tasks, git: boardGit, dataDir: config.dataDir, clock });
    const agentRuntime = await createAgentRuntime({
      config,
      store: store.agentConfigs,
      env: options.agentEnv ?? process.env,
      extraAgents: options.extraAgents ?? [],
      clock,
      logger,
      boardWorkdir: (taskId) => workdirs.forRuntimeTask(taskId),
    });
    const agents = agentRuntime.registry;
    // Remote worker nodes add `agent@node` agents to what the engine runs; the hub audits through the guard built below.
    let nodeGuard: ReturnType<typeof createGuard> | undefined;
    const nodeHub = createNodeHub(
      {
        guard: () => {
          if (nodeGuard === undefined) throw new Error('the node hub is used before the app is built');
          return nodeGuard;
        },
        logger,
        serverId: nodeId,
        ...(store.nodeRegistry !== undefined ? { registry: store.nodeRegistry } : {}),
        ...(store.invalidations !== undefined ? { changes: store.invalidations } : {}),
      },
      config.nodeLink,
    );
    const skills = createSkillCatalog({ installedDir: join(config.dataDir, 'skills'), configuredDirs: config.skillsDirs }, logger);
    const engine = createEngine(
      {
        // Skills as tools of LLM agents: decided by the same authorizer, audited into the engine's chain.
        tools: (record) =>
          createSkillToolGate({
            skills,
            executor: createSkillRunner(),
            guard: createGuard(authorizer, record),
            credentials: store.credentials,
            devices: store.devices,
            clock,
            ids: uuidIds,
            logger,
          }),
        store: store.tasks,
        bus: createLocalEventBus(),
        agents: withRemoteAgents(agents, nodeHub.agents),
        skills,
        clock,
        timers: nodeTimers,
        ids: uuidIds,
        logger,
        metrics: metrics.engine,
        sessionMemory: store.sessionMemory,
        ...(store.taskChanges !== undefined ? { taskChanges: store.taskChanges } : {}),
        ...(store.previews !== undefined ? { previewRelay: store.previews } : {}),
      },
      {
        nodeId,
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
    // The one audit sink: the engine's commit queue, so every record joins the same chain and batches.
    const guard = createGuard(authorizer, engine.recordAudit);
    nodeGuard = guard;
    const sessionPolicy = options.sessions ?? config.sessions;
    const authenticator = createAuthenticator(
      { credentials: store.credentials, clock },
      { cacheMs: 1000, cacheSize: 10_000, sessionIdleMs: sessionPolicy.idleMs },
    );
    // Built after the services (it needs their runtime); told of credential changes from the start.
    let ws: WsTransport | undefined;
    // A change made here drops this node's cached entries at once and, through the database, every other node's.
    const invalidations = store.invalidations;
    const unsubscribeInvalidations = invalidations?.subscribe((i) => {
      if (i.kind === 'nodes') return; // the node hub listens itself
      if (i.kind !== 'user') return authorizer.invalidate();
      authenticator.evictUser(i.userId);
      ws?.checkUser(i.userId);
    });
    const services = buildServices({
      config,
      store,
      guard,
      authorizer: {
        ...authorizer,
        invalidate() {
          authorizer.invalidate();
          invalidations?.publish({ kind: 'policies' });
        },
      },
      engine,
      agents,
      skills,
      clock,
      logger,
      evictUser: (userId) => {
        authenticator.evictUser(userId);
        ws?.checkUser(userId);
        invalidations?.publish({ kind: 'user', userId });
      },
      sessionPolicy,
      loginLimits: options.loginLimits ?? config.loginLimits,
      boardGit,
      workdirs,
    });
    // The other servers' nodes are known before the first claim, so their tasks are left to them.
    await nodeHub.start();
    await engine.start();
    agentRuntime.startTimers();
    await services.follower.resume();
    const telegram = config.telegram;
    const bot: TelegramBot | undefined =
      telegram === undefined
        ? undefined
        : createTelegramBot(
            { runtime: services.runtime, projects: services.projects, board: services.board, links: services.telegramLinks, sessions: services.sessions, store: store.telegram, logger, now: () => clock.now() },
            {
              token: telegram.token,
              apiRoot: telegram.apiRoot,
              webhook: telegram.webhookUrl === undefined ? undefined : { url: telegram.webhookUrl, path: telegram.webhookPath, secret: telegram.webhookSecret },
              nodeId,
              editIntervalMs: telegram.editIntervalMs,
              pollTimeoutS: telegram.pollTimeoutS,
              leaseMs: config.leaseMs,
              chatRatePerMinute: telegram.chatRatePerMinute,
            },
          );
    const wsTransport = createWsTransport(
      { runtime: services.runtime, authenticator, logger },
      { ...config.ws, allowedOrigins: config.publicOrigins },
    );
    ws = wsTransport;
    // MCP at /mcp: a server per request, acting as the request's bearer through the same secured runtime.
    const mcpServers = { runtime: services.runtime, board: { projects: services.projects, board: services.board }, logger, version: VERSION };
    const mcp = (app: FastifyInstance): void =>
      registerMcpRoute(app, { authenticator, serverFor: (caller) => createMcpServer(mcpServers, caller) }, { keepAliveMs: config.sseHeartbeatMs });
    const extraRoutes = [
      (app: FastifyInstance) => wsTransport.register(app),
      (app: FastifyInstance) => registerNodeRoutes(app, nodeHub),
      mcp,
      ...(bot !== undefined ? [(app: FastifyInstance) => bot.registerWebhook(app)] : []),
    ];
    let draining = false;
    const http = await createHttpServer(
      { ...services, authenticator, logger, extraRoutes, selfAuthenticatedPaths: [wsTransport.path], beforeWebSocketsClose: [() => wsTransport.goAway()] },
      {
        bodyLimit: config.bodyLimit,
        skillUploadLimit: config.skills.uploadLimit,
        sseHeartbeatMs: config.sseHeartbeatMs,
        publicOrigins: config.publicOrigins,
        webRoot: WEB_ROOT,
        version: VERSION,
        observe: metrics.observeHttp,
        metrics: metrics.render,
        health: async () => {
          // Draining: the load balancer should send new requests elsewhere (still answered here meanwhile).
          if (draining) return { ok: false, details: { status: 'draining', node_id: nodeId, version: VERSION, active_tasks: engine.activeCount } };
          try {
            await store.ping();
            return { ok: true, details: { database: store.dialect, node_id: nodeId, version: VERSION, active_tasks: engine.activeCount } };
          } catch {
            return { ok: false, details: { database: 'unreachable', version: VERSION } };
          }
        },
      },
    );

    let closing: Promise<void> | undefined;
    return {
      config,
      nodeId,
      logger,
      store,
      engine,
      runtime: services.runtime,
      authenticator,
      http,
      ws: wsTransport,
      bootstrap,
      async listen() {
        const url = await http.listen({ port: config.port, host: config.host });
        // After HTTP: a webhook's route must answer once Telegram is told about it.
        if (bot !== undefined) {
          await bot.start().then(
            () => logger.info({ mode: telegram?.webhookUrl === undefined ? 'polling' : 'webhook' }, 'telegram bot started'),
            (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'telegram bot could not start'),
          );
        }
        return url;
      },
      close() {
        closing ??= (async () => {
          // Drain: stop claiming and fail the health check at once; keep serving for drainMs.
          draining = true;
          engine.drain();
          if (config.drainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.drainMs));
          await bot?.stop();
          nodeHub.close();
          await http.close();
          services.follower.stop();
          agentRuntime.stopTimers();
          unsubscribeInvalidations?.();
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
