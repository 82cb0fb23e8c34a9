/** `switchboard telegram link|links|unlink`: linking Telegram accounts to Switchboard users. */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import type { CommandContext } from './actions.ts';
import { ExitCodes } from './cli-errors.ts';
import { formatTable } from './format.ts';
import { linkCodeView, telegramLinkList, telegramLinkView } from '../wire/telegram.ts';

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

async function linkAction(ctx: CommandContext, opts: { readonly user?: string }): Promise<number> {
  const code = await ctx.client.call('POST', '/api/telegram/link-codes', linkCodeView, opts.user !== undefined ? { user_id: opts.user } : {});
  if (ctx.json) ctx.out(pretty(code));
  else {
    ctx.out(code.code);
    ctx.note(`Send "/link ${code.code}" to the bot in a private chat before ${code.expires_at} (single use).`);
  }
  return ExitCodes.ok;
}

async function linksAction(ctx: CommandContext, opts: { readonly user?: string; readonly all?: boolean }): Promise<number> {
  const query = opts.all === true ? '?all=true' : opts.user !== undefined ? `?user_id=${encodeURIComponent(opts.user)}` : '';
  const { links } = await ctx.client.call('GET', `/api/telegram/links${query}`, telegramLinkList);
  ctx.out(ctx.json ? pretty(links) : formatTable(['TELEGRAM USER', 'USERNAME', 'USER', 'LINKED'], links.map((l) => [l.telegram_user_id, l.telegram_username ?? '-', l.user_id, l.linked_at])));
  return ExitCodes.ok;
}

async function unlinkAction(ctx: CommandContext, telegramUserId: string): Promise<number> {
  const link = await ctx.client.call('DELETE', `/api/telegram/links/${encodeURIComponent(telegramUserId)}`, telegramLinkView);
  ctx.out(ctx.json ? pretty(link) : `Telegram user ${link.telegram_user_id} is unlinked`);
  return ExitCodes.ok;
}

/** Adds `telegram` with its subcommands to `program`. */
export function registerTelegramCommands(program: Command, run: RunAction): void {
  const telegram = program.command('telegram').description('Link Telegram accounts to Switchboard users (the bot acts as the linked user)');
  telegram
    .command('link')
    .description('Print a one-time code (10 minutes, single use) to send to the bot as /link CODE')
    .option('--user <id>', 'a code for another user (needs admin:users)')
    .action((opts: { user?: string }, cmd: Command) => run(cmd, (ctx) => linkAction(ctx, opts)));
  telegram
    .command('links')
    .description('List your linked Telegram accounts')
    .option('--user <id>', "another user's (needs admin:users)")
    .option('--all', "everyone's (needs admin:users)")
    .action((opts: { user?: string; all?: boolean }, cmd: Command) => run(cmd, (ctx) => linksAction(ctx, opts)));
  telegram
    .command('unlink')
    .description('Unlink a Telegram account (yours, or anyone\'s with admin:users)')
    .argument('<telegram-user-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => unlinkAction(ctx, id)));
}
