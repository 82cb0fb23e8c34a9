/**
 * A generic HTTP agent (the OpenDevin/Goose contract): `POST {api_url}/execute`
 * with `{prompt, context}`, answered by `{result, metadata}` — or by a stream of
 * steps (SSE or NDJSON, see http-stream.ts) ending in the result. Cancel aborts the
 * request; 429 and 5xx are retryable, other statuses are not.
 */
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext, RetryPolicy } from '../../core/ports/agent-adapter.ts';
import type { Json, JsonObject } from '../../core/domain/json.ts';
import { publicUrl } from '../llm/llm-agent-options.ts';
import { errorForStatus, toAgentError } from '../llm/provider-errors.ts';
import { readStream, streamFormatOf } from './http-stream.ts';

const PROVIDER = 'http agent';
/** Largest response body accepted (10 MiB). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One configured HTTP agent; header values are already resolved from their `env:` references. */
export interface HttpAgentOptions {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly apiUrl: string;
  /** Sent with every request; values may be secrets, so they never appear in messages. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Environment variables referenced by headers but not set; the agent is unavailable while any is missing. */
  readonly missingVariables?: readonly string[];
  /** Whole-request time limit (default: none). */
  readonly timeoutMs?: number;
  /** (default: 1 attempt, 1,000 ms backoff) */
  readonly retry?: RetryPolicy;
}

/** Creates an agent that posts each task to `{apiUrl}/execute`. */
export function createHttpAgent(options: HttpAgentOptions): AgentAdapter {
  const endpoint = `${options.apiUrl.replace(/\/+$/, '')}/execute`;
  const secrets = Object.values(options.headers ?? {});
  const missing = options.missingVariables ?? [];
  return {
    info: {
      agentType: options.id,
      name: options.name ?? options.id,
      description: options.description ?? `HTTP agent at ${publicUrl(options.apiUrl)}`,
      capabilities: ['code_generation', 'system_automation'],
      metadata: { kind: 'http', api_url: publicUrl(options.apiUrl) },
    },
    retry: options.retry ?? { maxAttempts: 1, backoffMs: 1000 },
    isAvailable: async () => missing.length === 0,
    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      if (missing.length > 0) throw new AgentError(`${PROVIDER} "${options.id}": ${missing.join(', ')} not set in the environment`);
      const timeout = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
      const signal = timeout ? AbortSignal.any([ctx.signal, timeout]) : ctx.signal;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream;q=0.9, application/x-ndjson;q=0.9',
            ...options.headers,
          },
          body: JSON.stringify({ prompt: ctx.prompt, context: ctx.context }),
          signal,
        });
        const format = streamFormatOf(res.headers.get('content-type'));
        if (res.ok && format !== undefined && res.body !== null) return await readStream(PROVIDER, ctx, res.body, format, MAX_BODY_BYTES);
        const text = await readLimited(res);
        if (!res.ok) throw errorForStatus(PROVIDER, res.status, text.trim(), res.headers);
        return parseOutcome(text);
      } catch (err) {
        if (!ctx.signal.aborted && timeout?.aborted) {
          throw new AgentError(`${PROVIDER} timed out after ${options.timeoutMs} ms`, { retryable: true });
        }
        throw toAgentError(err, { provider: PROVIDER, secrets, signal: ctx.signal });
      }
    },
  };
}

// Reads the body but stops at MAX_BODY_BYTES, so a runaway agent cannot exhaust our memory.
async function readLimited(res: Response): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new AgentError(`${PROVIDER} response is larger than ${MAX_BODY_BYTES} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
}

// Messages thrown here may quote the body; toAgentError redacts header secrets from them.
function parseOutcome(text: string): AgentOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AgentError(`${PROVIDER} answered with something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AgentError(`${PROVIDER} answered with JSON that is not an object`);
  }
  const { result, metadata, success, error } = body as { result?: Json; metadata?: unknown; success?: unknown; error?: unknown };
  if (success === false) throw new AgentError(`${PROVIDER} reported a failure: ${typeof error === 'string' ? error : JSON.stringify(error ?? null)}`);
  if (result === undefined) throw new AgentError(`${PROVIDER} answered without a "result" field`);
  const meta = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as JsonObject) : {};
  return { result, metadata: meta };
}
