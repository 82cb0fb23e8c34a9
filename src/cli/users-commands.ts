/** `switchboard login|logout|whoami|password`, `switchboard users list|create|update|disable` and `switchboard tokens create|list|revoke`. */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import {
  tokensCreateAction,
  tokensListAction,
  tokensRevokeAction,
  usersCreateAction,
  usersDisableAction,
  usersListAction,
  usersUpdateAction,
  type TokenCreateOptions,
  type TokenOptions,
  type UserCreateOptions,
  type UserUpdateOptions,
} from './users-actions.ts';
import { loginAction, logoutAction, type LoginOptions } from './login-actions.ts';
import { passwordAction, whoamiAction, type PasswordOptions } from './account-actions.ts';

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').map((s) => s.trim()).filter((s) => s !== ''),
];

/** Adds `login`, `logout`, `whoami`, `password`, `users` and `tokens` with their subcommands to `program`. */
export function registerUserCommands(program: Command, run: RunAction): void {
  program
    .command('login')
    .description('Log in with a password; the session is kept in ~/.config/switchboard/credentials.json (0600)')
    .argument('<username>')
    .option('--password-stdin', 'read the password from stdin (default: prompt on a terminal)')
    .option('--device <id>', 'the device this session is for')
    .action((username: string, opts: LoginOptions, cmd: Command) => run(cmd, (ctx) => loginAction(ctx, username, opts)));
  program
    .command('logout')
    .description('End the session of `switchboard login` and forget it')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => logoutAction(ctx)));
  program
    .command('whoami')
    .description('Show the user the credential in use belongs to: roles, grants, whether a password is set')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => whoamiAction(ctx)));
  program
    .command('password')
    .description('Change your own password (prompted without echo); your other sessions end')
    .option('--password-stdin', 'read from stdin instead: the current password on the first line, the new one on the second (only the new one if you have none yet)')
    .action((opts: PasswordOptions, cmd: Command) => run(cmd, (ctx) => passwordAction(ctx, opts)));

  const users = program.command('users').description('Manage users (needs admin:users)');
  users
    .command('list')
    .description('List every user')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => usersListAction(ctx)));
  users
    .command('create')
    .description('Create a user')
    .argument('<username>')
    .option('--role <roles>', 'admin, developer, viewer or guest (repeat or comma-separate)', collect)
    .option('--password-stdin', 'read a password from stdin (at least 12 characters, two kinds)')
    .action((username: string, opts: UserCreateOptions, cmd: Command) => run(cmd, (ctx) => usersCreateAction(ctx, username, opts)));
  users
    .command('update')
    .description("Change a user's roles, enable or disable them, or set their password")
    .argument('<user>', 'user id or username')
    .option('--role <roles>', 'the new roles, replacing the old ones (repeat or comma-separate)', collect)
    .option('--enable', 'enable the user')
    .option('--disable', 'disable the user: their tokens stop working at once')
    .option('--password-stdin', 'read a new password from stdin')
    .action((ref: string, opts: UserUpdateOptions, cmd: Command) => run(cmd, (ctx) => usersUpdateAction(ctx, ref, opts)));
  users
    .command('disable')
    .description('Disable a user: their tokens stop working at once')
    .argument('<user>', 'user id or username')
    .action((ref: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => usersDisableAction(ctx, ref)));

  const tokens = program.command('tokens').description('Manage API tokens (your own, or anyone\'s with admin:users)');
  const userOption = ['--user <user>', 'user id or username (default: you)'] as const;
  tokens
    .command('create')
    .description('Create an API token; it is printed once on stdout')
    .argument('<name>', 'what the token is for, e.g. ci')
    .option(...userOption)
    .option('--expires <when>', 'ISO 8601 time or a number of days such as 30d (default: never)')
    .action((name: string, opts: TokenCreateOptions, cmd: Command) => run(cmd, (ctx) => tokensCreateAction(ctx, name, opts)));
  tokens
    .command('list')
    .description('List API tokens (never their secrets)')
    .option(...userOption)
    .action((opts: TokenOptions, cmd: Command) => run(cmd, (ctx) => tokensListAction(ctx, opts)));
  tokens
    .command('revoke')
    .description('Revoke an API token: it stops working at once')
    .argument('<token-id>')
    .option(...userOption)
    .action((id: string, opts: TokenOptions, cmd: Command) => run(cmd, (ctx) => tokensRevokeAction(ctx, id, opts)));
}
