/**
 * Availability probes: a cheap GET with a short timeout. An endpoint "answers" when
 * it returns any HTTP response below 500; with a key, 401/403 means the key is
 * refused. Reasons never carry header values.
 */
export interface ProbeResult {
  readonly available: boolean;
  readonly reason: string | null;
}

/** (default timeout: 3,000 ms) */
export async function probeEndpoint(
  url: string,
  options: { readonly headers?: Readonly<Record<string, string>>; readonly timeoutMs?: number; readonly keyed?: boolean } = {},
): Promise<ProbeResult> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'GET', headers: { accept: 'application/json', ...options.headers }, signal: AbortSignal.timeout(options.timeoutMs ?? 3000), redirect: 'manual' });
  } catch (err) {
    const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
    const why = typeof cause?.code === 'string' ? cause.code : err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : 'unreachable';
    return { available: false, reason: `${safeUrl(url)} does not answer (${why})` };
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 500) return { available: false, reason: `${safeUrl(url)} answered ${res.status}` };
  if (options.keyed === true && (res.status === 401 || res.status === 403)) {
    return { available: false, reason: `${safeUrl(url)} refused the key (${res.status})` };
  }
  return { available: true, reason: null };
}

/** A URL fit for a message: no user:password part, no query. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
