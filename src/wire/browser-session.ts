/**
 * What every transport a browser reaches must agree on: the name of the web session
 * cookie, how to read it, and what counts as this server's own origin (a page of
 * another origin may not act with that cookie).
 */

/** The HttpOnly cookie that holds a browser's session secret. */
export const SESSION_COOKIE = 'sb_session';

/** Reads the session cookie out of a Cookie header (without parsing every cookie of every request). */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** True when `origin` (an Origin header) is the origin of this server as the request reached it. */
export function isOwnOrigin(origin: string, protocol: string, host: string | undefined, publicOrigins: readonly string[] = []): boolean {
  return origin === `${protocol}://${host ?? ''}` || publicOrigins.includes(origin);
}
