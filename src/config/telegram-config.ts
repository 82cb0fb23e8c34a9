/**
 * The Telegram bot's settings (environment only). The bot runs when
 * TELEGRAM_BOT_TOKEN is set: long polling by default, a webhook when
 * TELEGRAM_WEBHOOK_URL is set.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());
const int = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? fallback : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'must be a whole number' }).int().min(min).max(max),
  );

/** The environment variables of this file (merged into the env schema). */
export const telegramEnvShape = {
  TELEGRAM_BOT_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d+:[\w-]{20,}$/, 'must look like 123456:ABC… (the token BotFather gave)').optional()),
  TELEGRAM_API_ROOT: optionalUrl,
  TELEGRAM_WEBHOOK_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional()),
  TELEGRAM_WEBHOOK_PATH: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\/[\w\-/]*$/, 'must be a path such as /telegram/webhook').optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16–256 characters of A-Z, a-z, 0-9, _ and -').optional()),
  TELEGRAM_EDIT_INTERVAL_MS: int(10, 600_000, 1500),
  TELEGRAM_POLL_TIMEOUT_S: int(0, 50, 30),
  TELEGRAM_CHAT_RATE: int(1, 10_000, 20),
};

/** What the bot needs, resolved once. */
export interface TelegramConfig {
  /** The Bot API token: a secret, never logged. */
  readonly token: string;
  /** Another Bot API server (default: Telegram's own). */
  readonly apiRoot: string | undefined;
  /** Where Telegram sends updates; absent: long polling. */
  readonly webhookUrl: string | undefined;
  /** The local path of the webhook route (default: the URL's path, else /telegram/webhook). */
  readonly webhookPath: string;
  /** What Telegram sends in X-Telegram-Bot-Api-Secret-Token (default: derived from the token). */
  readonly webhookSecret: string;
  /** Least time between two edits of one progress message (default: 1,500 ms). */
  readonly editIntervalMs: number;
  /** Long-polling wait of one getUpdates call (default: 30 s). */
  readonly pollTimeoutS: number;
  /** Updates per minute one chat may send before the bot ignores it for a while (default: 20). */
  readonly chatRatePerMinute: number;
}

type TelegramEnv = z.infer<z.ZodObject<typeof telegramEnvShape>>;

/** The bot's settings, or undefined when no token is set. */
export function resolveTelegram(env: TelegramEnv): TelegramConfig | undefined {
  const token = env.TELEGRAM_BOT_TOKEN;
  if (token === undefined) return undefined;
  const urlPath = env.TELEGRAM_WEBHOOK_URL === undefined ? undefined : new URL(env.TELEGRAM_WEBHOOK_URL).pathname;
  return {
    token,
    apiRoot: env.TELEGRAM_API_ROOT?.replace(/\/+$/, ''),
    webhookUrl: env.TELEGRAM_WEBHOOK_URL,
    webhookPath: env.TELEGRAM_WEBHOOK_PATH ?? (urlPath !== undefined && urlPath !== '/' ? urlPath : '/telegram/webhook'),
    // Stable across nodes and restarts without another variable; not the token itself.
    webhookSecret: env.TELEGRAM_WEBHOOK_SECRET ?? createHash('sha256').update(`switchboard-webhook:${token}`).digest('hex').slice(0, 48),
    editIntervalMs: env.TELEGRAM_EDIT_INTERVAL_MS,
    pollTimeoutS: env.TELEGRAM_POLL_TIMEOUT_S,
    chatRatePerMinute: env.TELEGRAM_CHAT_RATE,
  };
}
