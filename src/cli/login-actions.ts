/** `switchboard login` and `switchboard logout`: a password session kept in a 0600 credentials file. */
import { homedir } from 'node:os';
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { readStdin } from './input.ts';
import { passwordsFromStdin, promptHidden } from './password-input.ts';
import { loginDevice } from './devices-actions.ts';
import { credentialsFilePath, readStoredSession, removeStoredSession, writeStoredSession } from './credentials-file.ts';

export interface LoginOptions {
  readonly device?: string;
  readonly passwordStdin?: boolean;
}

async function readPassword(opts: LoginOptions): Promise<string> {
  const password =
    passwordsFromStdin(opts.passwordStdin) ? (await readStdin()).replace(/\r?\n$/, '') : await promptHidden('Password: ');
  if (password === '') throw new UsageError('the password is empty');
  return password;
}

const credentialsFile = (): string => credentialsFilePath(process.env, homedir());

export async function loginAction(ctx: CommandContext, username: string, opts: LoginOptions): Promise<number> {
  const password = await readPassword(opts);
  // A registered device key proves this machine; the server refuses its id without the proof.
  const device = await loginDevice(ctx, opts.device);
  const session = await ctx.client.login({ username, password, ...device });
  const file = credentialsFile();
  writeStoredSession(file, { url: ctx.client.url, session_id: session.session_id, token: session.token, username, expires_at: session.expires_at });
  if (ctx.json) ctx.out(JSON.stringify({ session_id: session.session_id, user_id: session.user_id, expires_at: session.expires_at }, null, 2));
  else ctx.out(`Logged in to ${ctx.client.url} as ${username} (session ${session.session_id}${device.device_id !== undefined ? `, device ${device.device_id}` : ''}); saved in ${file}`);
  return ExitCodes.ok;
}

export async function logoutAction(ctx: CommandContext): Promise<number> {
  const file = credentialsFile();
  const stored = readStoredSession(file);
  if (stored === undefined) {
    ctx.note('not logged in');
    return ExitCodes.ok;
  }
  try {
    if (stored.url === ctx.client.url) await ctx.client.logout(stored.session_id);
  } finally {
    removeStoredSession(file);
  }
  ctx.out(ctx.json ? JSON.stringify({ session_id: stored.session_id, logged_out: true }, null, 2) : `Logged out (session ${stored.session_id})`);
  return ExitCodes.ok;
}
