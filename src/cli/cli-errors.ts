/**
 * The errors the CLI client reports, and the one place that turns any error into a
 * line on stderr and an exit code (never a stack trace, never the token).
 */

/** Exit codes of the client commands (usage errors from commander also exit 2). */
export const ExitCodes = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** An error answer of the server: `{"error": {"code", "message", "details?"}}`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The server could not be reached at all (refused, unknown host, timeout, dropped). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly url: string;
  /** Short cause, e.g. "connection refused". */
  readonly reason: string;
  constructor(url: string, reason: string) {
    super(`cannot reach the server at ${url} (${reason})`);
    this.url = url;
    this.reason = reason;
  }
}

/** An answer of the server that does not have the shape its endpoint promises (another version, a proxy). */
export class WireMismatchError extends Error {
  override readonly name = 'WireMismatchError';
  /** e.g. `GET /api/users/me` */
  readonly endpoint: string;
  /** The first mismatched field, e.g. `tasks[0].state` (empty: the body as a whole). */
  readonly field: string;
  constructor(endpoint: string, field: string, problem: string) {
    super(`unexpected answer from ${endpoint}: ${field === '' ? 'the body' : `field ${field}`}: ${problem}`);
    this.endpoint = endpoint;
    this.field = field;
  }
}

/** Bad input the user can fix on the command line (exit code 2, like commander's own). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure already explained to the user; carries only the exit code. */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Where the token came from, so auth errors can say what to fix without showing it. */
export type TokenSource = 'flag' | 'env' | 'config' | 'session' | 'admin-token' | 'none';

const TOKEN_HINTS: Record<TokenSource, string> = {
  flag: 'check the --token value',
  env: 'check SWITCHBOARD_TOKEN',
  config: 'check the token in the CLI config file',
  session: 'your login session has expired or was revoked; run: switchboard login <username>',
  'admin-token': 'the token comes from the admin-token file of the data dir; pass --token or set SWITCHBOARD_TOKEN',
  none: 'no token was given: pass --token, set SWITCHBOARD_TOKEN, or add it to ~/.config/switchboard/config.json',
};

/** Writes the message for `err` to stderr and returns the exit code to use. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream, tokenSource: TokenSource): number {
  const say = (line: string): void => {
    stderr.write(`switchboard: ${line}\n`);
  };
  if (err instanceof ExitError) {
    if (err.message !== '') say(err.message);
    return err.exitCode;
  }
  if (err instanceof ApiError) {
    say(`${err.message} (${err.code})`);
    if (err.code === 'AUTH_INVALID' || err.code === 'AUTH_REQUIRED') say(TOKEN_HINTS[tokenSource]);
    return ExitCodes.failure;
  }
  if (err instanceof ConnectionError) {
    say(`${err.message}.`);
    say('Is the server running? Start it with `npm start` (or `switchboard serve`), or point --url / SWITCHBOARD_URL at it.');
    return ExitCodes.failure;
  }
  if (err instanceof WireMismatchError) {
    say(`${err.message} (is the CLI the same version as the server?)`);
    return ExitCodes.failure;
  }
  if (err instanceof UsageError) {
    say(err.message);
    return ExitCodes.usage;
  }
  say(err instanceof Error ? err.message : String(err));
  return ExitCodes.failure;
}
