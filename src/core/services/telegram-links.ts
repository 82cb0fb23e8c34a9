/** Linking Telegram users to Switchboard users, and acting as the linked user. */
import type { Caller } from '../domain/caller.ts';
import type { TelegramLink } from '../domain/telegram.ts';

/** A new one-time code: shown once, stored hashed. */
export interface LinkCode {
  readonly code: string;
  readonly userId: string;
  readonly expiresAt: number;
}

/** Who a Telegram user is on Telegram's side. */
export interface TelegramIdentity {
  readonly id: string;
  readonly username: string | null;
}

export interface TelegramLinks {
  /** A code for the caller, or for `userId` (needs `admin:users`). */
  createCode(caller: Caller, options: { readonly userId?: string }): Promise<LinkCode>;
  /** Links the Telegram user to the code's user; TELEGRAM_LINK_CODE_INVALID for an unknown, expired or used code. */
  redeem(telegram: TelegramIdentity, code: string): Promise<{ readonly link: TelegramLink; readonly username: string }>;
  /** The caller a linked, enabled user acts as on the bot (channel `telegram`); undefined when unlinked or disabled. */
  callerFor(telegramUserId: string): Promise<Caller | undefined>;
  /** The caller's links, or `userId`'s / everyone's (`all`) with `admin:users`. */
  list(caller: Caller, options: { readonly userId?: string; readonly all?: boolean }): Promise<readonly TelegramLink[]>;
  /** Removes a link: one's own, or anyone's with `admin:users`. TELEGRAM_LINK_NOT_FOUND otherwise. */
  unlink(caller: Caller, telegramUserId: string): Promise<TelegramLink>;
}
