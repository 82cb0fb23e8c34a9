/**
 * Turns provider failures (HTTP statuses, dropped connections, garbled streams)
 * into AgentErrors that say whether a retry may help. The engine does the
 * retrying; adapters only classify. Messages never carry the API key.
 */
import { AgentError } from '../../core/domain/errors.ts';

/** Longest Retry-After we honour; a provider asking for more gets this (default: 15 min). */
const MAX_RETRY_AFTER_MS = 15 * 60 * 1000;
const NETWORK_CODES = /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR)/;
const NETWORK_MESSAGES = new Set(['terminated', 'fetch failed', 'other side closed']);

/** Milliseconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date), if present. */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms != null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(Number(ms)));
  const value = headers?.get('retry-after')?.trim();
  if (value == null || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(Number(value) * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - now));
}

/** Removes every secret (and nothing else) from a message that came from outside. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s !== undefined && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** The AgentError for an HTTP error status: 429 and 5xx are retryable, other 4xx are not. */
export function errorForStatus(provider: string, status: number, detail: string | undefined, headers?: Headers): AgentError {
  const retryAfter = retryAfterMs(headers);
  // The SDKs prefix their messages with the status; we say it once, ourselves.
  const text = detail?.replace(/^\d{3}\s+/, '').trim();
  const suffix = text ? `: ${text.slice(0, 500)}` : '';
  if (status === 429) {
    return new AgentError(`${provider} rate limit (HTTP 429)${suffix}`, { retryable: true, retryAfterMs: retryAfter });
  }
  if (status >= 500) {
    return new AgentError(`${provider} server error (HTTP ${status})${suffix}`, { retryable: true, retryAfterMs: retryAfter });
  }
  // The provider's own text for auth failures may echo part of the key: leave it out.
  if (status === 401 || status === 403) {
    return new AgentError(`${provider} refused the credentials (HTTP ${status}); check the configured credentials`);
  }
  return new AgentError(`${provider} rejected the request (HTTP ${status})${suffix}`);
}

/** True for a refused, reset or cut connection anywhere in the cause chain. */
export function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const { name, message, code } = e as { name?: unknown; message?: unknown; code?: unknown };
    if (name === 'APIConnectionError' || name === 'APIConnectionTimeoutError') return true;
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return true;
    if (typeof message === 'string' && NETWORK_MESSAGES.has(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Inputs for `toAgentError`. */
export interface ProviderErrorContext {
  readonly provider: string;
  readonly secrets: readonly (string | undefined)[];
  readonly signal: AbortSignal;
}

/**
 * Classifies anything a provider call threw. An abort is passed through as the
 * signal's reason so the engine sees a cancel, not a failure.
 */
export function toAgentError(err: unknown, where: ProviderErrorContext): unknown {
  if (where.signal.aborted) return where.signal.reason;
  if (err instanceof AgentError) return new AgentError(redact(err.message, where.secrets), err);
  const message = redact(err instanceof Error ? err.message : String(err), where.secrets);
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400) {
    const { headers, apiMessage } = err as { headers?: unknown; apiMessage?: unknown };
    // Anthropic's SDK keeps the readable part of an error body apart from the raw JSON.
    const detail = typeof apiMessage === 'string' && apiMessage !== '' ? redact(apiMessage, where.secrets) : message;
    return errorForStatus(where.provider, status, detail, headers instanceof Headers ? headers : undefined);
  }
  if (isNetworkError(err)) {
    return new AgentError(`${where.provider} connection failed or was cut mid-stream (${message})`, { retryable: true });
  }
  if (err instanceof SyntaxError) return new AgentError(`${where.provider} sent a malformed stream chunk: ${message}`);
  return new AgentError(`${where.provider} request failed: ${message}`);
}
