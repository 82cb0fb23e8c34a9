/**
 * Where the CLI finds the server and its token. Each is resolved on its own:
 * flag > environment (SWITCHBOARD_URL, SWITCHBOARD_TOKEN) > config file
 * ($SWITCHBOARD_CLI_CONFIG or ~/.config/switchboard/config.json) > the session of
 * `switchboard login` for that URL > default (http://127.0.0.1:8000; the admin-token
 * file the server writes on first start).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError, type TokenSource } from './cli-errors.ts';
import { credentialsFilePath, readStoredSession } from './credentials-file.ts';

/** The URL used when nothing else names one: `npm start`'s default address. */
export const DEFAULT_URL = 'http://127.0.0.1:8000';

/** What the client commands need to talk to the server. */
export interface ClientSettings {
  /** Base URL without a trailing slash. */
  readonly url: string;
  readonly token: string | undefined;
  readonly tokenSource: TokenSource;
}

/** Inputs of the resolution, injectable so tests need no real home directory. */
export interface SettingsSources {
  readonly flags: { readonly url?: string | undefined; readonly token?: string | undefined };
  readonly env: NodeJS.ProcessEnv;
  /** (default: os.homedir()) */
  readonly homeDir?: string;
  /** (default: process.cwd()) */
  readonly cwd?: string;
  /** Receives warnings (a config file others can read). */
  readonly warn: (message: string) => void;
}

interface FileSettings {
  readonly url?: string;
  readonly token?: string;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The config file path: $SWITCHBOARD_CLI_CONFIG or ~/.config/switchboard/config.json. */
export function configFilePath(env: NodeJS.ProcessEnv, homeDir: string): string {
  return nonEmpty(env['SWITCHBOARD_CLI_CONFIG']) ?? join(homeDir, '.config', 'switchboard', 'config.json');
}

function readConfigFile(file: string, warn: (m: string) => void): FileSettings {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`config file ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`config file ${file} must hold a JSON object like {"url": "...", "token": "..."}`);
  }
  const { url, token } = parsed as Record<string, unknown>;
  if ((url !== undefined && typeof url !== 'string') || (token !== undefined && typeof token !== 'string')) {
    throw new UsageError(`config file ${file}: "url" and "token" must be strings`);
  }
  // Only a token makes the file a secret; a URL alone is harmless to share.
  if (token !== undefined && process.platform !== 'win32' && (statSync(file).mode & 0o044) !== 0) {
    warn(`warning: ${file} holds a token and is readable by other users; run: chmod 600 ${file}`);
  }
  return { ...(url !== undefined ? { url } : {}), ...(token !== undefined ? { token } : {}) };
}

function readAdminToken(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const dataDir = resolve(cwd, nonEmpty(env['SWITCHBOARD_DATA_DIR']) ?? '.switchboard');
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) return undefined;
  try {
    return nonEmpty(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // unreadable (another user's server): fall through to "no token"
  }
}

/** Checks and normalizes a base URL (http or https, no trailing slash). */
export function normalizeUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`not a valid URL: ${raw} (expected e.g. ${DEFAULT_URL})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`the URL must be http or https: ${raw}`);
  return u.toString().replace(/\/+$/, '');
}

/** Resolves url and token; reads the config file only when flags and env leave a gap. */
export function resolveSettings(sources: SettingsSources): ClientSettings {
  const { flags, env } = sources;
  let url = nonEmpty(flags.url) ?? nonEmpty(env['SWITCHBOARD_URL']);
  let token = nonEmpty(flags.token);
  let tokenSource: TokenSource = token !== undefined ? 'flag' : 'none';
  if (token === undefined && nonEmpty(env['SWITCHBOARD_TOKEN']) !== undefined) {
    token = nonEmpty(env['SWITCHBOARD_TOKEN']);
    tokenSource = 'env';
  }
  if (url === undefined || token === undefined) {
    const file = readConfigFile(configFilePath(env, sources.homeDir ?? homedir()), sources.warn);
    url ??= nonEmpty(file.url);
    if (token === undefined && nonEmpty(file.token) !== undefined) {
      token = nonEmpty(file.token);
      tokenSource = 'config';
    }
  }
  const finalUrl = normalizeUrl(url ?? DEFAULT_URL);
  if (token === undefined) {
    const session = readStoredSession(credentialsFilePath(env, sources.homeDir ?? homedir()));
    if (session !== undefined && session.url === finalUrl) {
      token = session.token;
      tokenSource = 'session';
    }
  }
  if (token === undefined) {
    token = readAdminToken(env, sources.cwd ?? process.cwd());
    if (token !== undefined) tokenSource = 'admin-token';
  }
  return Object.freeze({ url: finalUrl, token, tokenSource });
}
