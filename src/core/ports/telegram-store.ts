/**
 * The TelegramStore port: linked identities and link codes (changes audited in their
 * transaction), and the bot's shared state: which updates were handled, the polling
 * offset, the polling lease, and the messages that stand for tasks.
 */
import type { AuditArg } from '../domain/audit.ts';
import type { LinkCodeRefusal, TelegramFollow, TelegramLink, TelegramLinkCodeRecord, TelegramPrompt } from '../domain/telegram.ts';

/** An update as kept by its claim: its id and its JSON. */
export interface StoredUpdate {
  readonly id: number;
  readonly payload: string;
}

/** Who holds a claim: the node, and the process (one boot of that node). */
export interface ClaimHolder {
  readonly nodeId: string;
  readonly owner: string;
}

export type UpdateClaim = 'claimed' | 'handled' | 'busy';

export interface TelegramStore {
  createLinkCode(code: TelegramLinkCodeRecord, audit: AuditArg): Promise<void>;
  /**
   * Marks the code used (once: atomic across nodes) and links the Telegram user to the
   * code's user, replacing an older link of that Telegram user; the link, or why not.
   */
  redeemLinkCode(
    codeHash: string,
    telegram: { readonly userId: string; readonly username: string | null },
    now: number,
    audit: (userId: string) => AuditArg,
  ): Promise<TelegramLink | LinkCodeRefusal>;
  findLink(telegramUserId: string): Promise<TelegramLink | undefined>;
  /** One user's links, or everyone's; oldest first. */
  listLinks(userId?: string): Promise<readonly TelegramLink[]>;
  /** Removes the link; the removed link, or undefined when there was none. */
  deleteLink(telegramUserId: string, audit: (link: TelegramLink) => AuditArg): Promise<TelegramLink | undefined>;
  /**
   * Claims an update for `holder` (atomic across nodes), keeping its JSON until it is
   * handled: `claimed` when it was new, or its claim was open and is taken over (older
   * than `ttlMs`, or held by an earlier boot of the same node); `handled` once
   * finished; `busy` while another live holder works on it.
   */
  claimUpdate(update: StoredUpdate, holder: ClaimHolder, now: number, ttlMs: number): Promise<UpdateClaim>;
  /** Marks the holder's claim handled and drops the kept JSON. */
  finishUpdate(updateId: number, owner: string, now: number): Promise<void>;
  /** Renews every open claim of `owner` (it still works on them). */
  renewClaims(owner: string, now: number): Promise<void>;
  /** Open claims `holder` may take over (see claimUpdate), oldest update first. */
  staleUpdates(holder: ClaimHolder, now: number, ttlMs: number, limit: number): Promise<readonly StoredUpdate[]>;
  /** Forgets claims older than `before` (their updates are long confirmed). */
  pruneUpdates(before: number): Promise<void>;
  /** The next update id to ask for (0 before the first). */
  readOffset(): Promise<number>;
  /** Moves the offset forward (never back). */
  saveOffset(offset: number): Promise<void>;
  /** Takes or renews the polling lease: true while `owner` holds it until `now + ttlMs`. */
  acquireLease(owner: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(owner: string): Promise<void>;
  /** Records a follow, claimed by `holder` until it is finished. */
  saveFollow(follow: TelegramFollow, holder: ClaimHolder, now: number): Promise<void>;
  /** Renews every open follow of `owner`. */
  renewFollows(owner: string, now: number): Promise<void>;
  finishFollow(chatId: string, messageId: number, now: number): Promise<void>;
  /** Claims open follows whose holder is gone (as claimUpdate takes updates over); those it won. */
  takeOverFollows(holder: ClaimHolder, now: number, ttlMs: number, limit: number): Promise<readonly TelegramFollow[]>;
  savePrompt(prompt: TelegramPrompt, now: number): Promise<void>;
  findPrompt(chatId: string, messageId: number): Promise<TelegramPrompt | undefined>;
  /** The runtime session a member of a project chat talks in (its history is the conversation). */
  findChatSession(chatId: string, telegramUserId: string): Promise<string | undefined>;
  saveChatSession(chatId: string, telegramUserId: string, sessionId: string): Promise<void>;
}
