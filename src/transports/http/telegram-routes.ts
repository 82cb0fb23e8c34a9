/** /api/telegram: link codes and links of the Telegram bot. Every decision is the link service's. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { TelegramLinks } from '../../core/services/telegram-links.ts';
import { errorView } from '../../wire/error.ts';
import { createLinkCodeBody, linkCodeToWire, linkCodeView, telegramLinkList, telegramLinkParams, telegramLinkToWire, telegramLinkView, telegramLinksQuery } from '../../wire/telegram.ts';

const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };
const tags = ['telegram'];

export function registerTelegramRoutes(app: FastifyInstance, links: TelegramLinks): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/telegram/link-codes',
    {
      schema: {
        tags,
        summary: 'A one-time code that links a Telegram user to you (or to user_id, with admin:users)',
        description: 'Valid 10 minutes, usable once, stored only as a hash: send `/link CODE` to the bot. Audited `resource.modified` (action `telegram.link_code.create`).',
        body: createLinkCodeBody,
        response: { 201: linkCodeView, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(linkCodeToWire(await links.createCode(req.caller, req.body.user_id !== undefined ? { userId: req.body.user_id } : {}))),
  );

  r.get(
    '/api/telegram/links',
    {
      schema: {
        tags,
        summary: "Your linked Telegram users; ?user_id= someone else's, ?all=true everyone's (both admin:users)",
        querystring: telegramLinksQuery,
        response: { 200: telegramLinkList, ...errors },
      },
    },
    async (req) => ({
      links: (await links.list(req.caller, { ...(req.query.user_id !== undefined ? { userId: req.query.user_id } : {}), all: req.query.all === 'true' })).map(telegramLinkToWire),
    }),
  );

  r.delete(
    '/api/telegram/links/:telegram_user_id',
    {
      schema: {
        tags,
        summary: 'Unlink a Telegram user: your own link, or anyone\'s with admin:users (otherwise 404)',
        params: telegramLinkParams,
        response: { 200: telegramLinkView, ...errors },
      },
    },
    async (req) => telegramLinkToWire(await links.unlink(req.caller, req.params.telegram_user_id)),
  );
}
