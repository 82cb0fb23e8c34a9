/**
 * The HTTP transport: Fastify with zod-validated routes, OpenAPI at /openapi.json
 * and /docs, bearer authentication into a Caller, and one error mapping. It holds
 * a Runtime and an Authenticator and nothing else of the system.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { SwitchboardError } from '../../core/errors.ts';
import type { Authenticator } from '../../core/ports.ts';
import type { Runtime } from '../../core/runtime.ts';
import type { SessionService, UserAdmin } from '../../core/identity.ts';
import type { Caller } from '../../core/types.ts';
import { HTTP_STATUS, errorBody } from './error-map.ts';
import { registerTaskRoutes } from './task-routes.ts';
import { registerDiscoveryRoutes, type DiscoveryOptions } from './discovery-routes.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { registerUserRoutes } from './user-routes.ts';
import { LOGIN_PATH, registerAuthRoutes } from './auth-routes.ts';

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
  readonly version: string;
  /** Called once per response, for metrics. */
  readonly observe?: (route: string, method: string, status: number, seconds: number) => void;
}

export interface HttpServerDeps {
  readonly runtime: Runtime;
  readonly authenticator: Authenticator;
  readonly users: UserAdmin;
  readonly sessions: SessionService;
  readonly logger: FastifyBaseLogger;
}

function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? '';
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
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/') || req.routeOptions.url === LOGIN_PATH) return;
    req.caller = await deps.authenticator.authenticate(bearerOf(req.headers.authorization));
  });

  if (options.observe !== undefined) {
    const observe = options.observe;
    app.addHook('onResponse', async (req, reply) => {
      observe(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
    });
  }

  app.setNotFoundHandler((req, reply) => {
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
  registerDiscoveryRoutes(app, deps.runtime, options);
  registerAuditRoutes(app, deps.runtime);
  registerUserRoutes(app, deps.users);
  registerAuthRoutes(app, deps.sessions);
  return app;
}
