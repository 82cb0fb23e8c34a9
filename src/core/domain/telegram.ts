/** Telegram identities linked to Switchboard users, and the one-time codes that link them. */

/** A Telegram user linked to a Switchboard user: every bot action runs as that user. */
export interface TelegramLink {
  /** Telegram's user id (decimal text: ids exceed 32 bits). */
  readonly telegramUserId: string;
  readonly userId: string;
  /** The Telegram @username when it had one at linking time (display only). */
  readonly telegramUsername: string | null;
  readonly linkedAt: number;
}

/** A one-time link code as stored: only its hash. */
export interface TelegramLinkCodeRecord {
  readonly codeHash: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Why a code was refused. */
export type LinkCodeRefusal = 'unknown' | 'expired' | 'used';

/** A link code's lifetime: ten minutes. */
export const LINK_CODE_TTL_MS = 10 * 60_000;

/** What a bot message stands for, so that a reply or a button press finds its task. */
export interface TelegramPrompt {
  readonly chatId: string;
  readonly messageId: number;
  readonly taskId: string;
  readonly kind: 'question' | 'approval' | 'progress';
}

/** A task the bot follows in a chat: its status message, for whom, and its label. */
export interface TelegramFollow {
  readonly chatId: string;
  readonly messageId: number;
  readonly taskId: string;
  readonly telegramUserId: string;
  readonly label: string;
}
