/**
 * `switchboard whoami` and `switchboard password`: the calling user, and changing
 * your own password. Passwords never come from arguments: a prompt without echo on
 * a terminal, else stdin (the current password on the first line, the new one on
 * the second; only the new one for an account that has no password yet).
 */
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { passwordsFromStdin, promptHidden, readPasswordLines } from './password-input.ts';
import { userView, type UserView } from '../wire/user.ts';

export interface PasswordOptions {
  readonly passwordStdin?: boolean;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

function formatUser(u: UserView, url: string): string {
  const rows: [string, string][] = [
    ['User', `${u.username} (${u.kind})`],
    ['Id', u.id],
    ['Roles', u.roles.join(', ') || '-'],
    ['Grants', u.grants.join(', ') || '-'],
    ['Password', u.has_password ? 'set' : 'none'],
    ['Server', url],
  ];
  return rows.map(([k, v]) => `${k.padEnd(10)}${v}`).join('\n');
}

/** `whoami`: who the credential in use belongs to. */
export async function whoamiAction(ctx: CommandContext): Promise<number> {
  const me = await ctx.client.me();
  ctx.out(ctx.json ? pretty(me) : formatUser(me, ctx.client.url));
  return ExitCodes.ok;
}

async function promptPasswords(hasPassword: boolean): Promise<{ current?: string; next: string }> {
  const current = hasPassword ? await promptHidden('Current password: ') : undefined;
  const next = await promptHidden('New password: ');
  if (next === '') throw new UsageError('the new password is empty');
  if ((await promptHidden('Repeat the new password: ')) !== next) throw new UsageError('the two new passwords differ; nothing changed');
  if (current === '') throw new UsageError('the current password is empty');
  return { next, ...(current !== undefined ? { current } : {}) };
}

async function stdinPasswords(hasPassword: boolean): Promise<{ current?: string; next: string }> {
  if (!hasPassword) {
    const [next = ''] = await readPasswordLines(1, 'the new password (this account has no password yet)');
    return { next };
  }
  const [current = '', next = ''] = await readPasswordLines(2, 'the current password and then the new one');
  return { current, next };
}

/** `password`: change your own password; the server ends your other sessions. */
export async function passwordAction(ctx: CommandContext, opts: PasswordOptions): Promise<number> {
  const me = await ctx.client.me();
  const { current, next } = passwordsFromStdin(opts.passwordStdin) ? await stdinPasswords(me.has_password) : await promptPasswords(me.has_password);
  const user = await ctx.client.call('POST', '/api/users/me/password', userView, {
    new_password: next,
    ...(current !== undefined ? { current_password: current } : {}),
  });
  if (ctx.json) ctx.out(pretty(user));
  else ctx.out(`Password ${me.has_password ? 'changed' : 'set'} for ${user.username}; your other sessions have been ended`);
  return ExitCodes.ok;
}
