/**
 * The HTTP transport: Fastify with zod-validated routes, OpenAPI at /openapi.json
 * and /docs, bearer authentication into a Caller, and one error mapping. It holds
 * a Runtime and an Authenticator and nothing else of the system.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Authenticator } from '../../core/ports/authenticator.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import type { SessionService } from '../../core/services/session-service.ts';
import type { UserAdmin } from '../../core/services/user-admin.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { HTTP_STATUS, errorBody } from './error-map.ts';
import { bearerOf } from './bearer.ts';
import { registerTaskRoutes } from './task-routes.ts';
import { registerApprovalRoutes } from './approval-routes.ts';
import { registerDiscoveryRoutes, type DiscoveryOptions } from './discovery-routes.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { registerUserRoutes } from './user-routes.ts';
import { registerPolicyRoutes } from './policy-routes.ts';
import { registerGrantRoutes } from './grant-routes.ts';
import type { GrantAdmin } from '../../core/services/grant-admin.ts';
import type { PolicyAdmin } from '../../core/services/policy-admin.ts';
import { LOGIN_PATH, registerAuthRoutes } from './auth-routes.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerWebUi } from './web-ui.ts';
import { WEB_SIGN_IN_PATH, checkCsrf, registerWebSessionRoutes, sessionCookieOf } from './web-session.ts';
import type { SessionMemoryService } from '../../core/services/session-memory-service.ts';
import { DEVICE_CHALLENGE_PATH, registerDeviceRoutes } from './device-routes.ts';
import type { DeviceService } from '../../core/services/device-service.ts';
import type { AgentAdmin } from '../../core/services/agent-admin.ts';
import type { WorktreeAdmin } from '../../core/services/worktree-admin.ts';
import { registerAgentAdminRoutes, registerWorktreeRoutes } from './agent-admin-routes.ts';
import type { SkillAdmin } from '../../core/services/skill-admin.ts';
import { registerSkillRoutes } from './skill-routes.ts';
import { registerProjectRoutes } from './project-routes.ts';
import { registerBoardTaskRoutes } from './board-task-routes.ts';
import type { BoardGitService, BoardService, ProjectService } from '../../core/services/board.ts';
import type { TelegramLinks } from '../../core/services/telegram-links.ts';
import { registerTelegramRoutes } from './telegram-routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every /api/ route. */
    caller: Caller;
  }
}

export interface HttpServerOptions extends DiscoveryOptions {
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  readonly sseHeartbeatMs: number;
  /** Origins browsers reach the server at besides its own address (SWITCHBOARD_PUBLIC_ORIGINS). */
  readonly publicOrigins?: readonly string[];
  /** Largest skill archive upload in bytes (default: 20 MiB). */
  readonly skillUploadLimit?: number;
  readonly version: string;
  /** The built web UI (web/dist) to serve at `/`; absent: no UI. */
  readonly webRoot?: string;
  /** Called once per response, for metrics. */
  readonly observe?: (route: string, method: string, status: number, seconds: number) => void;
}

export interface HttpServerDeps {
  readonly runtime: Runtime;
  readonly authenticator: Authenticator;
  readonly users: UserAdmin;
  readonly sessions: SessionService;
  readonly sessionMemory: SessionMemoryService;
  readonly devices: DeviceService;
  readonly policies: PolicyAdmin;
  readonly grants: GrantAdmin;
  /** Agent definitions over the API (absent: those routes are not served). */
  readonly agentAdmin?: AgentAdmin;
  /** Removal of finished tasks' worktrees (absent: that route is not served). */
  readonly worktrees?: WorktreeAdmin;
  /** Skill install/uninstall and definitions. */
  readonly skills?: SkillAdmin;
  /** The portal's projects and board (absent: those routes are not served). */
  readonly projects?: ProjectService;
  readonly board?: BoardService;
  readonly boardGit?: BoardGitService;
  /** Telegram link codes and links (absent: those routes are not served). */
  readonly telegramLinks?: TelegramLinks;
  /** Routes of other transports served on this server (the Telegram webhook). */
  readonly extraRoutes?: readonly ((app: FastifyInstance) => void)[];
  /** Paths of those routes that authenticate in their own protocol (the WebSocket hello), skipped by the bearer check. */
  readonly selfAuthenticatedPaths?: readonly string[];
  /** Run on shutdown before the remaining WebSockets are closed (a transport says goodbye its own way). */
  readonly beforeWebSocketsClose?: readonly (() => void)[];
  readonly logger: FastifyBaseLogger;
}

/** Fastify's own errors that are the client's fault, by code. */
const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, { code: SwitchboardError['code']; status?: number; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', message: 'The request body is larger than allowed' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', message: 'The request body is empty; send a JSON object' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'VALIDATION_FAILED', status: 415, message: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'VALIDATION_FAILED', message: 'Content-Length does not match the body' },
};

export async function createHttpServer(deps: HttpServerDeps, options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Per-request log lines cost on the hot path; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger (a measurable cost per call); error lines carry reqId themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: options.bodyLimit,
    // Path parameters up to 4 KiB (default 100): session memory keys are up to 200 characters, percent-encoded.
    routerOptions: { maxParamLength: 4096 },
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  app.setValidatorCompiler(validatorCompiler);
  // Responses are built by our own mappers from typed values; the zod response schemas
  // document them (OpenAPI) and tests check them, so the hot path only stringifies.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Switchboard',
        version: options.version,
        description: 'A durable runtime for AI agents. Authenticate with `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  // The one registration of @fastify/websocket: every WebSocket route (the node link, the client protocol)
  // is registered after it. 16 MiB frames: a node's result may be large.
  await app.register(fastifyWebsocket, {
    options: { maxPayload: 16 * 1024 * 1024 },
    preClose(done) {
      for (const goodbye of deps.beforeWebSocketsClose ?? []) goodbye();
      for (const client of this.websocketServer.clients) client.close(1001, 'server shutting down');
      this.websocketServer.close(() => done());
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.decorateRequest('caller', null as unknown as Caller);
  const selfAuthenticated = new Set(deps.selfAuthenticatedPaths ?? []);
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/') || req.routeOptions.url === LOGIN_PATH || req.routeOptions.url === DEVICE_CHALLENGE_PATH) return;
    if (req.routeOptions.url !== undefined && selfAuthenticated.has(req.routeOptions.url)) return;
    if (req.routeOptions.url === WEB_SIGN_IN_PATH) {
      if (req.method === 'POST') return;
      // The UI asks whether it is signed in: "no" is an answer (user null), not an error.
      if (req.method === 'GET') {
        try {
          await authenticateRequest(req);
        } catch (err) {
          if (!(err instanceof SwitchboardError) || (err.code !== 'AUTH_REQUIRED' && err.code !== 'AUTH_INVALID')) throw err;
        }
        return;
      }
    }
    await authenticateRequest(req);
  });

  async function authenticateRequest(req: FastifyRequest): Promise<void> {
    const header = req.headers.authorization;
    // Browsers authenticate by the session cookie (web-session.ts); everyone else by a bearer header.
    const cookie = header === undefined ? sessionCookieOf(req.headers.cookie) : undefined;
    if (cookie === undefined) {
      req.caller = await deps.authenticator.authenticate(bearerOf(header));
      return;
    }
    const caller = await deps.authenticator.authenticate(cookie);
    if (caller.via !== 'session') throw new SwitchboardError('AUTH_INVALID', 'The session cookie holds no session');
    checkCsrf(req, cookie, options.publicOrigins);
    req.caller = caller;
  }

  if (options.observe !== undefined) {
    const observe = options.observe;
    app.addHook('onResponse', async (req, reply) => {
      observe(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
    });
  }

  const ui = options.webRoot === undefined ? undefined : await registerWebUi(app, { root: options.webRoot });
  app.setNotFoundHandler((req, reply) => {
    if (ui?.page(req, reply) === true) return;
    const err = new SwitchboardError('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0] ?? ''}`);
    void reply.code(404).send(errorBody(err));
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
        message: v.message ?? 'invalid',
      }));
      const first = issues[0];
      const err = new SwitchboardError(
        'VALIDATION_FAILED',
        first ? `${first.path}: ${first.message}` : 'The request is not valid',
        { issues },
      );
      return reply.code(400).send(errorBody(err));
    }
    if (error instanceof SwitchboardError) {
      const status = HTTP_STATUS[error.code];
      if (status >= 500) req.log.error({ err: error, reqId: req.id }, 'request failed');
      if (error.retryAfterMs !== undefined) void reply.header('retry-after', Math.ceil(error.retryAfterMs / 1000));
      return reply.code(status).send(errorBody(error, req.id));
    }
    const known = error.code === undefined ? undefined : FASTIFY_CLIENT_ERRORS[error.code];
    if (known !== undefined) {
      return reply
        .code(known.status ?? HTTP_STATUS[known.code])
        .send(errorBody(new SwitchboardError(known.code, known.message)));
    }
    if (error instanceof SyntaxError || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
      const err = new SwitchboardError('VALIDATION_FAILED', error.message);
      return reply.code(error.statusCode ?? 400).send(errorBody(err));
    }
    req.log.error({ err: error, reqId: req.id }, 'unexpected error');
    return reply.code(500).send(errorBody(new SwitchboardError('INTERNAL'), req.id));
  });

  registerTaskRoutes(app, deps.runtime, { sseHeartbeatMs: options.sseHeartbeatMs });
  registerApprovalRoutes(app, deps.runtime);
  registerDiscoveryRoutes(app, deps.runtime, options);
  if (deps.agentAdmin !== undefined) registerAgentAdminRoutes(app, deps.agentAdmin);
  if (deps.worktrees !== undefined) registerWorktreeRoutes(app, deps.worktrees);
  if (deps.skills !== undefined) registerSkillRoutes(app, deps.skills, { uploadLimit: options.skillUploadLimit ?? 20 * 1024 * 1024 });
  if (deps.projects !== undefined && deps.board !== undefined && deps.boardGit !== undefined) {
    registerProjectRoutes(app, deps.projects, deps.board, { sseHeartbeatMs: options.sseHeartbeatMs });
    registerBoardTaskRoutes(app, deps.board, deps.boardGit, deps.runtime);
  }
  registerAuditRoutes(app, deps.runtime);
  registerUserRoutes(app, deps.users);
  registerPolicyRoutes(app, deps.policies);
  registerGrantRoutes(app, deps.grants);
  registerAuthRoutes(app, deps.sessions);
  registerWebSessionRoutes(app, { sessions: deps.sessions, authenticator: deps.authenticator, users: deps.users });
  registerSessionRoutes(app, deps.sessions, deps.sessionMemory);
  registerDeviceRoutes(app, deps.devices);
  if (deps.telegramLinks !== undefined) registerTelegramRoutes(app, deps.telegramLinks);
  for (const register of deps.extraRoutes ?? []) register(app);
  return app;
}
