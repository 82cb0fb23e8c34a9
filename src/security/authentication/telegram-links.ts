/**
 * Telegram identities: one-time link codes (10 minutes, single use, stored as a
 * SHA-256 hash: they are random, so a fast hash is enough), the links they make, and
 * the Caller a linked user acts as on the bot. A link is a credential: it is checked
 * against the user on every update, so disabling the user stops the bot at once.
 */
import { randomInt } from 'node:crypto';
import type { AuditInput } from '../../core/domain/audit.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import { LINK_CODE_TTL_MS, type LinkCodeRefusal, type TelegramLink } from '../../core/domain/telegram.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { CredentialStore } from '../../core/ports/credential-store.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { TelegramStore } from '../../core/ports/telegram-store.ts';
import type { TelegramLinks } from '../../core/services/telegram-links.ts';
import { hashToken } from './tokens.ts';

/** Letters and digits that cannot be mistaken for one another when typed from a screen. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12;

/** A fresh code: 12 characters of a 32-letter alphabet (60 bits), valid for minutes only. */
export function generateLinkCode(): string {
  let out = '';
  for (let i = 0; i < CODE_LENGTH; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** What people type: case and separators do not matter. */
export const normalizeLinkCode = (code: string): string => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

const REFUSALS: Readonly<Record<LinkCodeRefusal, string>> = {
  unknown: 'This link code is not valid',
  expired: 'This link code has expired; make a new one',
  used: 'This link code was already used; make a new one',
};

export interface TelegramLinksDeps {
  readonly store: TelegramStore;
  readonly credentials: CredentialStore;
  readonly guard: Guard;
  readonly clock: Clock;
}

export function createTelegramLinks(deps: TelegramLinksDeps): TelegramLinks {
  const { store, guard, clock } = deps;
  const record = (eventType: AuditInput['eventType'], action: string, userId: string, sessionId: string | null, resourceId: string | null, details: AuditInput['details']): AuditInput => ({
    eventType,
    userId,
    sessionId,
    resourceType: 'telegram_link',
    resourceId,
    action,
    status: 'success',
    details,
  });

  return {
    async createCode(caller, options) {
      const userId = options.userId ?? caller.principal.id;
      await guard.ensureSelfOr(caller, userId, 'admin:users', { type: 'user', id: userId }, { action: 'telegram.link_code.create' });
      const user = await deps.credentials.getUser(userId);
      if (user === undefined) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userId });
      const code = generateLinkCode();
      const now = clock.now();
      const expiresAt = now + LINK_CODE_TTL_MS;
      await store.createLinkCode(
        { codeHash: hashToken(code), userId, createdAt: now, expiresAt },
        { records: [record('resource.modified', 'telegram.link_code.create', caller.principal.id, caller.sessionId ?? null, null, { for_user_id: userId, expires_at: expiresAt })], now },
      );
      return { code, userId, expiresAt };
    },

    async redeem(telegram, code) {
      const normalized = normalizeLinkCode(code);
      if (normalized.length !== CODE_LENGTH) throw new SwitchboardError('TELEGRAM_LINK_CODE_INVALID', REFUSALS.unknown, { reason: 'unknown' });
      const now = clock.now();
      const result = await store.redeemLinkCode(hashToken(normalized), { userId: telegram.id, username: telegram.username }, now, (userId) => ({
        records: [record('resource.modified', 'telegram.link', userId, null, telegram.id, { channel: 'telegram', telegram_username: telegram.username })],
        now,
      }));
      if (typeof result === 'string') throw new SwitchboardError('TELEGRAM_LINK_CODE_INVALID', REFUSALS[result], { reason: result });
      const user = await deps.credentials.getUser(result.userId);
      return { link: result, username: user?.username ?? result.userId };
    },

    async callerFor(telegramUserId) {
      const link = await store.findLink(telegramUserId);
      if (link === undefined) return undefined;
      const user = await deps.credentials.getUser(link.userId);
      if (user === undefined || user.disabled) return undefined;
      const { id, username, kind, roles, grants } = user;
      return { principal: { id, username, kind, roles, grants }, via: 'link', channel: 'telegram' } satisfies Caller;
    },

    async list(caller, options) {
      if (options.all === true) {
        await guard.ensure(caller, 'admin:users', { type: 'user', id: null }, { action: 'telegram.links.list' });
        return store.listLinks();
      }
      const userId = options.userId ?? caller.principal.id;
      await guard.ensureSelfOr(caller, userId, 'admin:users', { type: 'user', id: userId }, { action: 'telegram.links.list' });
      return store.listLinks(userId);
    },

    async unlink(caller, telegramUserId) {
      const notFound = new SwitchboardError('TELEGRAM_LINK_NOT_FOUND', undefined, { telegram_user_id: telegramUserId });
      const link = await store.findLink(telegramUserId);
      if (link === undefined) throw notFound;
      if (link.userId !== caller.principal.id && !(await guard.decide(caller, 'admin:users', { type: 'user', id: link.userId })).allowed) {
        // Someone else's link: refused as if it did not exist (and audited).
        await guard.refuse(caller, { permission: 'admin:users', resource: { type: 'telegram_link', id: telegramUserId }, reason: 'the link belongs to another user', action: 'telegram.unlink' }, notFound);
      }
      const now = clock.now();
      const removed = await store.deleteLink(telegramUserId, (l: TelegramLink) => ({
        records: [record('resource.deleted', 'telegram.unlink', caller.principal.id, caller.sessionId ?? null, l.telegramUserId, { owner_id: l.userId, ...(caller.channel !== undefined ? { channel: caller.channel } : {}) })],
        now,
      }));
      if (removed === undefined) throw notFound;
      return removed;
    },
  };
}
