/** The wire model of Telegram links and their one-time codes (/api/telegram/…). */
import { z } from 'zod';
import type { TelegramLink } from '../core/domain/telegram.ts';
import { iso } from './primitives.ts';

/** POST /api/telegram/link-codes: for oneself, or `user_id` (admin:users). */
export const createLinkCodeBody = z.object({ user_id: z.string().min(1).max(200).optional() }).strict();

export const linkCodeView = z.object({
  code: z.string().describe('Send `/link CODE` to the bot; shown once, single use'),
  user_id: z.string(),
  expires_at: z.string(),
});

export const linkCodeToWire = (c: { readonly code: string; readonly userId: string; readonly expiresAt: number }): z.infer<typeof linkCodeView> => ({
  code: c.code,
  user_id: c.userId,
  expires_at: iso(c.expiresAt),
});

export const telegramLinkView = z.object({
  telegram_user_id: z.string(),
  user_id: z.string(),
  telegram_username: z.string().nullable(),
  linked_at: z.string(),
});

export const telegramLinkToWire = (l: TelegramLink): z.infer<typeof telegramLinkView> => ({
  telegram_user_id: l.telegramUserId,
  user_id: l.userId,
  telegram_username: l.telegramUsername,
  linked_at: iso(l.linkedAt),
});

export const telegramLinkList = z.object({ links: z.array(telegramLinkView) });

export const telegramLinksQuery = z.object({
  user_id: z.string().min(1).max(200).optional(),
  all: z.enum(['true', 'false']).optional(),
});

export const telegramLinkParams = z.object({ telegram_user_id: z.string().regex(/^-?\d{1,20}$/, 'a Telegram user id') });
