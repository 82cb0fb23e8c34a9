/**
 * The CLI's login session: `switchboard login` writes it, `logout` removes it, and
 * the settings resolution uses its token for the server it was made for. The file
 * holds a secret: it is created 0600 in a 0700 directory, written whole (temp + rename).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StoredSession {
  readonly url: string;
  readonly session_id: string;
  readonly token: string;
  readonly username: string;
  readonly expires_at: string;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** $SWITCHBOARD_CLI_CREDENTIALS or ~/.config/switchboard/credentials.json. */
export function credentialsFilePath(env: NodeJS.ProcessEnv, homeDir: string): string {
  return nonEmpty(env['SWITCHBOARD_CLI_CREDENTIALS']) ?? join(homeDir, '.config', 'switchboard', 'credentials.json');
}

/** The stored session, or undefined when there is none or the file is not ours. */
export function readStoredSession(file: string): StoredSession | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredSession>;
    if (typeof v.url !== 'string' || typeof v.token !== 'string' || typeof v.session_id !== 'string') return undefined;
    return { url: v.url, token: v.token, session_id: v.session_id, username: String(v.username ?? ''), expires_at: String(v.expires_at ?? '') };
  } catch {
    return undefined;
  }
}

export function writeStoredSession(file: string, session: StoredSession): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function removeStoredSession(file: string): void {
  rmSync(file, { force: true });
}
