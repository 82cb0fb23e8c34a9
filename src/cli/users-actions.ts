/**
 * What `switchboard users …` and `switchboard tokens …` do once their arguments are
 * parsed. Passwords are read from stdin only (a flag would show in `ps`); a new token
 * is printed once, on stdout, and never written anywhere else.
 */
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { formatTable } from './format.ts';
import { readStdin } from './input.ts';
import type { TokenView, UserView } from '../wire/user.ts';

export interface UserCreateOptions {
  readonly role?: string[];
  readonly passwordStdin?: boolean;
}
export interface UserUpdateOptions {
  readonly role?: string[];
  readonly enable?: boolean;
  readonly disable?: boolean;
  readonly passwordStdin?: boolean;
}
export interface TokenOptions {
  readonly user?: string;
}
export interface TokenCreateOptions extends TokenOptions {
  readonly expires?: string;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function readPassword(): Promise<string> {
  const password = (await readStdin()).replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('the password on stdin is empty');
  return password;
}

/** A user id from an id or a username (usernames are looked up: needs admin:users); default: the caller. */
export async function resolveUser(ctx: CommandContext, ref: string | undefined): Promise<string> {
  if (ref === undefined) return (await ctx.client.me()).id;
  if (UUID.test(ref)) return ref;
  const me = await ctx.client.me();
  if (me.username === ref) return me.id;
  const found = (await ctx.client.listUsers()).find((u) => u.username === ref);
  if (found === undefined) throw new UsageError(`no user named ${ref}`);
  return found.id;
}

function userTable(users: readonly UserView[]): string {
  return formatTable(
    ['ID', 'USERNAME', 'ROLES', 'STATE', 'PASSWORD', 'CREATED'],
    users.map((u) => [u.id, u.username, u.roles.join(',') || '-', u.disabled ? 'disabled' : 'active', u.has_password ? 'yes' : 'no', u.created_at]),
  );
}

function tokenTable(tokens: readonly TokenView[]): string {
  const state = (t: TokenView): string =>
    t.revoked_at !== null ? 'revoked' : t.expires_at !== null && Date.parse(t.expires_at) <= Date.now() ? 'expired' : 'active';
  return formatTable(
    ['ID', 'NAME', 'PREFIX', 'STATE', 'CREATED', 'EXPIRES'],
    tokens.map((t) => [t.id, t.name, `${t.prefix}…`, state(t), t.created_at, t.expires_at ?? 'never']),
  );
}

function showUser(ctx: CommandContext, user: UserView): number {
  ctx.out(ctx.json ? pretty(user) : userTable([user]));
  return ExitCodes.ok;
}

export async function usersListAction(ctx: CommandContext): Promise<number> {
  const users = await ctx.client.listUsers();
  ctx.out(ctx.json ? pretty(users) : userTable(users));
  return ExitCodes.ok;
}

export async function usersCreateAction(ctx: CommandContext, username: string, opts: UserCreateOptions): Promise<number> {
  const password = opts.passwordStdin === true ? await readPassword() : undefined;
  const user = await ctx.client.createUser({ username, roles: opts.role ?? [], ...(password !== undefined ? { password } : {}) });
  return showUser(ctx, user);
}

export async function usersUpdateAction(ctx: CommandContext, ref: string, opts: UserUpdateOptions): Promise<number> {
  if (opts.enable === true && opts.disable === true) throw new UsageError('give --enable or --disable, not both');
  const password = opts.passwordStdin === true ? await readPassword() : undefined;
  const patch = {
    ...(opts.role !== undefined ? { roles: opts.role } : {}),
    ...(opts.enable === true ? { disabled: false } : opts.disable === true ? { disabled: true } : {}),
    ...(password !== undefined ? { password } : {}),
  };
  if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give --role, --enable, --disable or --password-stdin');
  return showUser(ctx, await ctx.client.updateUser(await resolveUser(ctx, ref), patch));
}

export async function usersDisableAction(ctx: CommandContext, ref: string): Promise<number> {
  return showUser(ctx, await ctx.client.updateUser(await resolveUser(ctx, ref), { disabled: true }));
}

export async function tokensCreateAction(ctx: CommandContext, name: string, opts: TokenCreateOptions): Promise<number> {
  let expires: string | undefined;
  if (opts.expires !== undefined) {
    const days = /^(\d+)d$/.exec(opts.expires);
    const ms = days ? Date.now() + Number(days[1]) * 86_400_000 : Date.parse(opts.expires);
    if (!Number.isFinite(ms)) throw new UsageError('--expires must be an ISO 8601 time or a number of days such as 30d');
    expires = new Date(ms).toISOString();
  }
  const created = await ctx.client.createToken(await resolveUser(ctx, opts.user), { name, ...(expires !== undefined ? { expires_at: expires } : {}) });
  if (ctx.json) {
    ctx.out(pretty(created));
  } else {
    ctx.out(created.token);
    ctx.note(`token ${created.id} (${created.name}) created; it is shown only this once`);
  }
  return ExitCodes.ok;
}

export async function tokensListAction(ctx: CommandContext, opts: TokenOptions): Promise<number> {
  const tokens = await ctx.client.listTokens(await resolveUser(ctx, opts.user));
  ctx.out(ctx.json ? pretty(tokens) : tokenTable(tokens));
  return ExitCodes.ok;
}

export async function tokensRevokeAction(ctx: CommandContext, tokenId: string, opts: TokenOptions): Promise<number> {
  const token = await ctx.client.revokeToken(await resolveUser(ctx, opts.user), tokenId);
  if (ctx.json) ctx.out(pretty(token));
  else ctx.out(`token ${token.id} (${token.name}) revoked`);
  return ExitCodes.ok;
}
