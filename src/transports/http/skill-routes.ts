/**
 * /api/runtime/skills/…: a skill's definition, install (an archive as the raw body,
 * or JSON naming a git URL or a server folder) and uninstall. Every decision is the
 * SkillAdmin's; this file only maps HTTP to its calls. Archive bodies get their own,
 * larger body limit, in a scope of their own so other routes keep the JSON-only parser.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { SkillSource } from '../../core/domain/skill.ts';
import type { SkillAdmin } from '../../core/services/skill-admin.ts';
import { errorBody } from './error-map.ts';
import { installJsonBody, installQuery, installToWire, installView, skillDetailToWire, skillDetailView, skillParams, uninstallView } from '../../wire/skill.ts';
import { errorView } from '../../wire/error.ts';

export interface SkillRouteOptions {
  /** Largest accepted archive upload in bytes (default: 20 MiB). */
  readonly uploadLimit: number;
}

const TAR_GZ = new Set(['application/gzip', 'application/x-gzip', 'application/x-tar+gzip', 'application/tar+gzip', 'application/x-gtar', 'application/x-compressed-tar']);
const ZIP = new Set(['application/zip', 'application/x-zip-compressed']);
const tags = ['skills'];
const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView, 409: errorView, 413: errorView, 415: errorView, 422: errorView };

const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** Registers the skill administration routes (GET /api/runtime/skills itself is a discovery route). */
export function registerSkillRoutes(app: FastifyInstance, skills: SkillAdmin, options: SkillRouteOptions): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser([...TAR_GZ, ...ZIP], { parseAs: 'buffer', bodyLimit: options.uploadLimit }, (_req, body, done) => done(null, body));
    // Anything else is read (within the limit) and answered with a clear 415 by the handler.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.uploadLimit }, (_req, _body, done) => done(null, undefined));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post(
      '/api/runtime/skills',
      {
        bodyLimit: options.uploadLimit,
        schema: {
          tags,
          summary:
            'Install a skill (needs skill:install): a .tar.gz (Content-Type application/gzip) or .zip (application/zip) as the body, ' +
            'or JSON {"git_url"} or {"path"} (a server folder or file:// URL also needs admin:system). ?replace=true replaces an installed skill; ?id= sets its id.',
          querystring: installQuery,
          response: { 201: installView, ...errors },
        },
      },
      async (req, reply) => {
        const type = mediaType(req.headers['content-type']);
        let replace = req.query.replace === 'true';
        let id = req.query.id;
        let source: SkillSource;
        if (TAR_GZ.has(type) || ZIP.has(type)) {
          const data = req.body as Buffer | undefined;
          if (data === undefined || data.length === 0) throw new SwitchboardError('VALIDATION_FAILED', 'The archive body is empty');
          source = { kind: 'archive', format: ZIP.has(type) ? 'zip' : 'tar.gz', data };
        } else if (type === 'application/json') {
          const parsed = installJsonBody.safeParse(req.body);
          if (!parsed.success) {
            throw new SwitchboardError('VALIDATION_FAILED', 'Send {"git_url": "…"} or {"path": "…"} (optionally with "id" and "replace")', {
              issues: parsed.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
            });
          }
          const b = parsed.data;
          source = 'git_url' in b ? { kind: 'git', url: b.git_url } : { kind: 'path', path: b.path };
          replace ||= b.replace === true;
          id ??= b.id;
        } else {
          const err = new SwitchboardError(
            'VALIDATION_FAILED',
            'Send a .tar.gz as application/gzip, a .zip as application/zip, or JSON {"git_url"} / {"path"} as application/json',
          );
          return reply.code(415).send(errorBody(err));
        }
        const result = await skills.install(req.caller, source, { replace, ...(id !== undefined ? { id } : {}) });
        return reply.code(201).send(installToWire(result));
      },
    );

    r.get(
      '/api/runtime/skills/:skill_id',
      {
        schema: {
          tags,
          summary: "A skill's definition: instructions, entrypoint, input schema, permissions, origin (needs skill:list)",
          params: skillParams,
          response: { 200: skillDetailView, ...errors },
        },
      },
      async (req) => skillDetailToWire(await skills.get(req.caller, req.params.skill_id)),
    );

    r.delete(
      '/api/runtime/skills/:skill_id',
      {
        schema: {
          tags,
          summary: 'Uninstall a skill installed under the data dir (needs skill:install; configured folders are read-only: 409)',
          params: skillParams,
          response: { 200: uninstallView, ...errors },
        },
      },
      async (req) => {
        await skills.uninstall(req.caller, req.params.skill_id);
        return { skill_id: req.params.skill_id, uninstalled: true as const };
      },
    );
  });
}
