/**
 * The Telegram transport: a grammY bot whose every action runs as the linked user
 * through the runtime and the board services. Long polling (update-poller.ts) or a
 * webhook route on the HTTP server; Bot API calls retry 429s (honouring
 * `retry_after`) and 5xx with grammY's auto-retry transformer. The token never
 * reaches a log line: errors are logged by message only, and grammY's client puts
 * the token only into request URLs, which are not logged.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { FastifyInstance } from 'fastify';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Caller } from '../../core/domain/caller.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { TelegramStore } from '../../core/ports/telegram-store.ts';
import type { BoardService, ProjectService } from '../../core/services/board.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import type { TelegramLinks } from '../../core/services/telegram-links.ts';
import type { SessionService } from '../../core/services/session-service.ts';
import { submitChatMessage } from './project-chat.ts';
import { decodeApproval } from './callback-data.ts';
import { createChatLimiter } from './chat-limiter.ts';
import { friendlyError } from './friendly-error.ts';
import { NOT_LINKED, createCommands, type BotContext } from './telegram-commands.ts';
import { createTaskFollower, type FollowTarget } from './task-follower.ts';
import { createUpdateClaims, updateIdempotencyKey } from './update-claims.ts';
import { pollLeaseMs, runPoller } from './update-poller.ts';

/** A reply to a bot message younger than this may race the prompt's save. */
const PROMPT_RACE_S = 30;
const PROMPT_WAIT_MS = 3_000;
const PROMPT_RETRY_MS = 100;

export interface TelegramBotDeps {
  readonly runtime: Runtime;
  readonly projects: ProjectService;
  readonly board: BoardService;
  readonly links: TelegramLinks;
  /** Sessions of project chat members (their conversation history). */
  readonly sessions: SessionService;
  readonly store: TelegramStore;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface TelegramBotOptions {
  readonly token: string;
  readonly apiRoot: string | undefined;
  readonly webhook: { readonly url: string; readonly path: string; readonly secret: string } | undefined;
  readonly nodeId: string;
  readonly editIntervalMs: number;
  readonly pollTimeoutS: number;
  readonly leaseMs: number;
  readonly chatRatePerMinute: number;
  /** Known bot identity (tests); else fetched with getMe at start. */
  readonly botInfo?: UserFromGetMe;
}

export interface TelegramBot {
  /** Fetches the bot's identity, then polls (or sets the webhook). */
  start(): Promise<void>;
  /** Stops polling and following tasks. */
  stop(): Promise<void>;
  /** Registers the webhook route (webhook mode only). */
  registerWebhook(app: FastifyInstance): void;
}

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createTelegramBot(deps: TelegramBotDeps, options: TelegramBotOptions): TelegramBot {
  const bot = new Bot<BotContext>(options.token, {
    ...(options.apiRoot !== undefined ? { client: { apiRoot: options.apiRoot } } : {}),
    ...(options.botInfo !== undefined ? { botInfo: options.botInfo } : {}),
  });
  // 429 waits retry_after; 5xx and network failures retry with backoff, then give up. Not for
  // getUpdates: the poller backs off by itself (from 0.5 s), so it is back soon after an outage.
  const retry = autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 300 });
  bot.api.config.use((prev, method, payload, signal) => (method === 'getUpdates' ? prev(method, payload, signal) : retry(prev, method, payload, signal)));
  const stopping = new AbortController();
  const following = new Set<Promise<void>>();
  const limiter = createChatLimiter(options.chatRatePerMinute);
  // This boot of this node: a claim (of an update or a follow) of an earlier boot is a dead process's.
  const holder = { nodeId: options.nodeId, owner: `${options.nodeId}/${randomUUID()}` };
  const claimTtlMs = pollLeaseMs(options.leaseMs, options.pollTimeoutS);
  const follower = createTaskFollower({ api: bot.api, runtime: deps.runtime, store: deps.store, logger: deps.logger, now: deps.now, holder });

  const follow = (caller: Caller, target: FollowTarget, resumeMessageId?: number): void => {
    const run = follower
      .follow(caller, target, { editIntervalMs: options.editIntervalMs, signal: stopping.signal }, resumeMessageId)
      .catch(async (err: unknown) => {
        if (stopping.signal.aborted) return;
        deps.logger.warn({ err: errText(err), task_id: target.taskId }, 'telegram: following a task failed');
        await bot.api.sendMessage(target.chatId, friendlyError(err)).catch(() => undefined);
      })
      .finally(() => following.delete(run));
    following.add(run);
  };

  /** Renews this process's follows and carries on those whose holder is gone. */
  const keepFollows = async (): Promise<void> => {
    if (following.size > 0) await deps.store.renewFollows(holder.owner, deps.now());
    for (const f of await deps.store.takeOverFollows(holder, deps.now(), claimTtlMs, 50)) {
      const caller = await deps.links.callerFor(f.telegramUserId);
      // Unlinked or disabled since: nobody to follow it for.
      if (caller === undefined) await deps.store.finishFollow(f.chatId, f.messageId, deps.now());
      else follow(caller, { ...f, chatId: Number(f.chatId) }, f.messageId);
    }
  };

  // A flood from one chat is dropped (with one notice) until its minute is over.
  const warned = new Set<string>();
  bot.use(async (ctx, next) => {
    const chatId = String(ctx.chat?.id ?? ctx.from?.id ?? 'unknown');
    if (!limiter.allow(chatId, deps.now())) {
      if (!warned.has(chatId)) {
        warned.add(chatId);
        if (ctx.chat !== undefined) await ctx.reply('Too many messages; wait a minute.').catch(() => undefined);
      }
      return;
    }
    warned.delete(chatId);
    if (ctx.from !== undefined && !ctx.from.is_bot) {
      const caller = await deps.links.callerFor(String(ctx.from.id));
      if (caller !== undefined) ctx.caller = caller;
    }
    await next();
  });

  bot.use(createCommands({ runtime: deps.runtime, projects: deps.projects, board: deps.board, links: deps.links, follow, now: deps.now }));

  // Approve / Deny buttons: decided by whoever pressed, as their linked user.
  bot.on('callback_query:data', async (ctx) => {
    const choice = decodeApproval(ctx.callbackQuery.data);
    if (choice === undefined) return void (await ctx.answerCallbackQuery());
    if (ctx.caller === undefined) return void (await ctx.answerCallbackQuery({ text: NOT_LINKED, show_alert: true }));
    try {
      await deps.runtime.approve(ctx.caller, choice.taskId, { approved: choice.approved, approvalId: choice.approvalId });
      await ctx.answerCallbackQuery({ text: choice.approved ? 'Approved' : 'Denied' });
      await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
      await ctx.reply(`${choice.approved ? '👍 Approved' : '👎 Denied'} by ${ctx.caller.principal.username}.`);
    } catch (err) {
      await ctx.answerCallbackQuery({ text: friendlyError(err), show_alert: true });
    }
  });

  /**
   * The prompt a reply answers. The bot posts a question before it stores the prompt
   * (the message id comes back from Telegram), so a quick reply to a bot message just
   * sent may arrive first, here or on another node: it waits a little for the prompt.
   */
  async function findPromptOf(chatId: string, replyTo: { message_id: number; date: number; from?: { id: number } }, botId: number) {
    const first = await deps.store.findPrompt(chatId, replyTo.message_id);
    const fresh = replyTo.from?.id === botId && deps.now() / 1000 - replyTo.date < PROMPT_RACE_S;
    if (first !== undefined || !fresh) return first;
    for (let waited = 0; waited < PROMPT_WAIT_MS; waited += PROMPT_RETRY_MS) {
      await delay(PROMPT_RETRY_MS);
      const prompt = await deps.store.findPrompt(chatId, replyTo.message_id);
      if (prompt !== undefined) return prompt;
    }
    return undefined;
  }

  // A reply to the agent's question (or to the task's status message) answers it.
  bot.on('message:text', async (ctx, next) => {
    const replyTo = ctx.message.reply_to_message;
    if (replyTo === undefined) return next();
    const prompt = await findPromptOf(String(ctx.chat.id), replyTo, ctx.me.id);
    // The question, or the task's status message: either names the task; the runtime decides whether it waits.
    if (prompt === undefined || prompt.kind === 'approval') return next();
    if (ctx.caller === undefined) return void (await ctx.reply(NOT_LINKED));
    try {
      await deps.runtime.answer(ctx.caller, prompt.taskId, ctx.message.text);
      await ctx.reply('Answer sent.');
    } catch (err) {
      await ctx.reply(friendlyError(err));
    }
  });

  bot.on('message:text', async (ctx) => {
    if (ctx.caller === undefined) return void (await ctx.reply(NOT_LINKED));
    if (ctx.chat.type === 'private') return void (await ctx.reply('Send a command; /help lists them.'));
    try {
      const chatDeps = { runtime: deps.runtime, projects: deps.projects, sessions: deps.sessions, store: deps.store, now: deps.now };
      const sent = await submitChatMessage(chatDeps, ctx.caller, { id: String(ctx.chat.id), telegramUserId: String(ctx.from.id) }, ctx.message.text, updateIdempotencyKey(ctx.me.id, ctx.update.update_id));
      if (sent === undefined) return;
      if ('reply' in sent) return void (await ctx.reply(sent.reply));
      follow(ctx.caller, { chatId: ctx.chat.id, taskId: sent.taskId, label: sent.label, telegramUserId: String(ctx.from.id) });
    } catch (err) {
      await ctx.reply(friendlyError(err));
    }
  });

  bot.catch((err) => deps.logger.warn({ err: errText(err.error) }, 'telegram handler failed'));

  const handle = (update: Update): Promise<void> => bot.handleUpdate(update);
  const claims = createUpdateClaims({ store: deps.store, logger: deps.logger, now: deps.now, handle }, { holder, ttlMs: claimTtlMs });
  let polling: Promise<void> | undefined;
  let keeper: NodeJS.Timeout | undefined;
  const keep = (): void =>
    void Promise.all([claims.tick(), keepFollows()]).catch((err: unknown) => deps.logger.warn({ err: errText(err) }, 'telegram: keeping claims failed'));

  return {
    async start() {
      await bot.init();
      // At once (an earlier boot of this node may have left claims open), then every third of their life.
      keep();
      keeper = setInterval(keep, Math.max(50, Math.floor(claimTtlMs / 3)));
      keeper.unref();
      if (options.webhook !== undefined) {
        await bot.api.setWebhook(options.webhook.url, { secret_token: options.webhook.secret, allowed_updates: ['message', 'callback_query'] });
        return;
      }
      // getUpdates is refused while a webhook is set.
      await bot.api.deleteWebhook();
      polling = runPoller(
        { api: bot.api, store: deps.store, logger: deps.logger, now: deps.now, claims },
        { nodeId: options.nodeId, timeoutS: options.pollTimeoutS, leaseMs: options.leaseMs },
        stopping.signal,
      );
    },
    async stop() {
      if (keeper !== undefined) clearInterval(keeper);
      stopping.abort();
      await polling;
      await claims.drain();
      await Promise.allSettled([...following]);
    },
    registerWebhook(app) {
      const hook = options.webhook;
      if (hook === undefined) return;
      const expected = Buffer.from(hook.secret);
      app.post(hook.path, { schema: { hide: true } }, async (req, reply) => {
        const got = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
        if (got.length !== expected.length || !timingSafeEqual(got, expected)) return reply.code(401).send({ error: { code: 'AUTH_INVALID', message: 'The credential is not valid' } });
        const update = req.body as Update;
        if (typeof update?.update_id !== 'number') return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message: 'Not a Telegram update' } });
        // Answered once the claim (with the update) is stored: a crash after that is the sweep's to recover,
        // a crash before it leaves Telegram to redeliver, and the claim makes a redelivery harmless.
        await claims.receive(update);
        return reply.code(200).send({ ok: true });
      });
    },
  };
}
