/**
 * The bot's commands (REFERENCE.md's, plus /status, /cancel, /board, /link, /unlink).
 * Each runs as the linked user through the same services as HTTP, so RBAC and audit
 * apply; a failure is one friendly line.
 */
import { Composer, type Context } from 'grammy';
import { BoardStatuses } from '../../core/domain/board.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import { shortId } from '../../core/domain/task.ts';
import type { BoardService, ProjectService } from '../../core/services/board.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import type { TelegramLinks } from '../../core/services/telegram-links.ts';
import type { FollowTarget } from './task-follower.ts';
import { updateIdempotencyKey } from './update-claims.ts';
import { SwitchboardError } from '../../core/domain/errors.ts';
import { friendlyError } from './friendly-error.ts';
import { createAttemptLimiter } from './chat-limiter.ts';
import { clip } from './text-chunks.ts';

/** The context the bot's middleware works with: the linked caller, when there is one. */
export type BotContext = Context & { caller?: Caller };

export interface CommandDeps {
  readonly runtime: Runtime;
  readonly projects: ProjectService;
  readonly board: BoardService;
  readonly links: TelegramLinks;
  /** Follows a runtime task in the chat (in the background). */
  readonly follow: (caller: Caller, target: FollowTarget) => void;
  readonly now: () => number;
}

/** Wrong link codes one Telegram user may send within LINK_GUESS_WINDOW_MS. */
export const LINK_GUESSES = 5;
const LINK_GUESS_WINDOW_MS = 10 * 60_000;

export const HELP = [
  'Switchboard bot. Commands:',
  '/link CODE — link this Telegram account (make a code with `switchboard telegram link`)',
  '/unlink — forget the link',
  '/projects — your projects',
  '/create_project KEY NAME — a new project',
  '/tasks KEY — the tasks of a project',
  '/board KEY — the board, column by column',
  '/create_task KEY TITLE — a new task',
  '/execute TASK AGENT [JSON context] — run a task on an agent, with live progress',
  '/status TASK — a task and its last run',
  '/cancel TASK — cancel a task\'s running execution',
  '/agents — the agents',
].join('\n');

export const NOT_LINKED = 'You are not linked to a Switchboard user. Run `switchboard telegram link` (or POST /api/telegram/link-codes), then send /link CODE here.';

const words = (text: string): string[] => text.trim().split(/\s+/).filter((w) => w.length > 0);
const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export function createCommands(deps: CommandDeps): Composer<BotContext> {
  const guesses = createAttemptLimiter(LINK_GUESSES, LINK_GUESS_WINDOW_MS);
  const open = new Composer<BotContext>();
  const reply = (ctx: BotContext, text: string) => ctx.reply(clip(text));
  /** Runs a command as the linked caller; unlinked users are told how to link. */
  const linked = (name: string, run: (ctx: BotContext, caller: Caller, args: string) => Promise<string | undefined>) =>
    open.command(name, async (ctx) => {
      if (ctx.caller === undefined) return void (await reply(ctx, NOT_LINKED));
      try {
        const text = await run(ctx, ctx.caller, typeof ctx.match === 'string' ? ctx.match : '');
        if (text !== undefined) await reply(ctx, text);
      } catch (err) {
        await reply(ctx, friendlyError(err));
      }
    });

  open.command(['start', 'help'], (ctx) => reply(ctx, ctx.caller === undefined ? `${HELP}\n\n${NOT_LINKED}` : `${HELP}\n\nLinked as ${ctx.caller.principal.username}.`));

  open.command('link', async (ctx) => {
    const from = ctx.from;
    if (from === undefined) return;
    if (ctx.chat?.type !== 'private') return void (await reply(ctx, 'Send /link CODE to me in a private chat: a code is a secret.'));
    // Codes are too long to guess, and guessing is slowed down further: a few wrong codes, then a wait.
    const wait = guesses.retryAfter(String(from.id), deps.now());
    if (wait > 0) return void (await reply(ctx, `Too many wrong codes; try again in ${Math.ceil(wait / 60_000)} min.`));
    try {
      const { username } = await deps.links.redeem({ id: String(from.id), username: from.username ?? null }, ctx.match);
      await reply(ctx, `✅ Linked: you act as ${username} here. /help lists the commands.`);
    } catch (err) {
      if (err instanceof SwitchboardError && err.code === 'TELEGRAM_LINK_CODE_INVALID') guesses.fail(String(from.id), deps.now());
      await reply(ctx, friendlyError(err));
    }
  });

  linked('unlink', async (ctx, caller) => {
    await deps.links.unlink(caller, String(ctx.from?.id));
    return 'Unlinked. Send /link CODE to link again.';
  });

  linked('projects', async (_ctx, caller) => {
    const list = await deps.projects.list(caller);
    return list.length === 0 ? 'No projects yet. /create_project KEY NAME makes one.' : list.map((p) => `${p.key} — ${p.name} (${p.status})`).join('\n');
  });

  linked('create_project', async (_ctx, caller, args) => {
    const [key, ...name] = words(args);
    if (key === undefined || name.length === 0) return 'Usage: /create_project KEY NAME';
    const p = await deps.projects.create(caller, { key: key.toUpperCase(), name: name.join(' ') });
    return `✅ Project ${p.key} created: ${p.name}`;
  });

  linked('tasks', async (_ctx, caller, args) => {
    const [key] = words(args);
    if (key === undefined) return 'Usage: /tasks PROJECT_KEY';
    const page = await deps.board.list(caller, { project: key.toUpperCase(), limit: 50 });
    return page.items.length === 0 ? `No tasks in ${key.toUpperCase()}.` : page.items.map((t) => `${t.key} [${t.status}] ${t.title}`).join('\n');
  });

  linked('board', async (_ctx, caller, args) => {
    const [key] = words(args);
    if (key === undefined) return 'Usage: /board PROJECT_KEY';
    const page = await deps.board.list(caller, { project: key.toUpperCase(), limit: 500 });
    return BoardStatuses.map((s) => {
      const cards = page.items.filter((t) => t.status === s);
      return `${s.replace('_', ' ').toUpperCase()} (${cards.length})${cards.map((t) => `\n  ${t.key} ${t.title}`).join('')}`;
    }).join('\n');
  });

  linked('create_task', async (_ctx, caller, args) => {
    const [key, ...title] = words(args);
    if (key === undefined || title.length === 0) return 'Usage: /create_task PROJECT_KEY TITLE';
    const t = await deps.board.create(caller, { project: key.toUpperCase(), title: title.join(' ') });
    return `✅ ${t.key} created: ${t.title}`;
  });

  linked('execute', async (ctx, caller, args) => {
    const m = /^\s*(\S+)(?:\s+([\w-]+))?(?:\s+(\{[\s\S]*\}))?\s*$/.exec(args);
    if (m === null || m[1] === undefined) return 'Usage: /execute TASK_KEY AGENT [JSON context]';
    let context: JsonObject | undefined;
    if (m[3] !== undefined) {
      try {
        const parsed: unknown = JSON.parse(m[3]);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'The context must be a JSON object.';
        context = parsed as JsonObject;
      } catch {
        return 'The context is not valid JSON.';
      }
    }
    const view = await deps.board.execute(caller, {
      task: m[1].toUpperCase(),
      ...(m[2] !== undefined ? { agentType: m[2] } : {}),
      ...(context !== undefined ? { context } : {}),
      idempotencyKey: updateIdempotencyKey(ctx.me.id, ctx.update.update_id),
    });
    deps.follow(caller, { chatId: ctx.chat?.id ?? 0, taskId: view.execution.executionUuid, label: `${m[1].toUpperCase()} on ${view.execution.agentType}`, telegramUserId: String(ctx.from?.id ?? '') });
    return undefined;
  });

  /** A runtime task id, or a board task key/id (its latest execution). */
  const runtimeTaskOf = async (caller: Caller, ref: string) => {
    if (isUuid(ref)) return deps.runtime.getTask(caller, ref);
    const runs = await deps.board.executions(caller, ref.toUpperCase());
    const last = runs.at(-1)?.task;
    return last;
  };

  linked('status', async (_ctx, caller, args) => {
    const [ref] = words(args);
    if (ref === undefined) return 'Usage: /status TASK';
    if (isUuid(ref)) {
      const t = await deps.runtime.getTask(caller, ref);
      return `${shortId(t.id)} on ${t.agentType}: ${t.state}${t.error !== null ? ` — ${t.error}` : ''}`;
    }
    const card = await deps.board.get(caller, ref.toUpperCase());
    const run = await runtimeTaskOf(caller, ref);
    return `${card.key} [${card.status}] ${card.title}${run !== undefined ? `\nLast run: ${run.agentType}, ${run.state}${run.error !== null ? ` — ${run.error}` : ''}` : '\nNever run.'}`;
  });

  linked('cancel', async (_ctx, caller, args) => {
    const [ref] = words(args);
    if (ref === undefined) return 'Usage: /cancel TASK';
    const run = await runtimeTaskOf(caller, ref);
    if (run === undefined) return `${ref.toUpperCase()} has no execution to cancel.`;
    const t = await deps.runtime.cancel(caller, run.id);
    return `🚫 ${ref}: ${t.state}`;
  });

  linked('agents', async (_ctx, caller) => {
    const agents = await deps.runtime.listAgents(caller);
    return agents.map((a) => `${a.available ? '🟢' : '⚪'} ${a.agentType} — ${a.name}`).join('\n') || 'No agents.';
  });

  return open;
}
