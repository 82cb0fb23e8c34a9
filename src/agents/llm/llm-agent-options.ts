/** Options shared by the LLM agent kinds (OpenAI-compatible, Anthropic, Ollama), resolved by the composition root. */
import { AgentError } from '../../core/domain/errors.ts';
import type { RetryPolicy } from '../../core/ports/agent-adapter.ts';
import type { AgentInfo } from '../../core/domain/agent.ts';
import type { JsonObject } from '../../core/domain/json.ts';

/** One configured LLM agent. The key is already resolved from its `env:` reference. */
export interface LlmAgentOptions {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly baseUrl: string;
  readonly model: string;
  /** The API key itself; never logged, emitted or put in metadata. Undefined when its variable is unset. */
  readonly apiKey?: string;
  /** Where the key comes from (e.g. `env:OPENAI_API_KEY`), for messages that must not show the key. */
  readonly apiKeyRef?: string;
  readonly systemPrompt?: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
  /** (default: 1 attempt, 1,000 ms backoff) */
  readonly retry?: RetryPolicy;
  /** Model turns of the tool-calling loop at most (default: 10). */
  readonly maxToolTurns?: number;
  /** USD per million tokens, for `cost_usd` in the metadata. */
  readonly pricing?: TokenPricing;
}

/** Prices of a model in USD per million tokens. */
export interface TokenPricing {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** Fails with a clear, key-free message when the configured key variable was not set. */
export function requireKey(provider: string, options: LlmAgentOptions): string | undefined {
  if (options.apiKeyRef !== undefined && options.apiKey === undefined) {
    throw new AgentError(`${provider} agent "${options.id}": ${options.apiKeyRef.replace(/^env:/, '')} is not set in the environment`);
  }
  return options.apiKey;
}

/** A base URL fit for agent listings: any user:password part is dropped. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** The retry policy used when none is configured: one attempt. */
export const DEFAULT_LLM_RETRY: RetryPolicy = Object.freeze({ maxAttempts: 1, backoffMs: 1000 });

/** A stream's text and how it ended; the metadata every LLM agent returns. */
export interface StreamSummary {
  text: string;
  model: string;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  stopReason: string | undefined;
}

/** A summary before the first turn. */
export function newSummary(model: string): StreamSummary {
  return { text: '', model, inputTokens: undefined, outputTokens: undefined, stopReason: undefined };
}

/** What every LLM agent shows in listings (never its key). */
export function llmAgentInfo(options: LlmAgentOptions, kind: string, label: string): Omit<AgentInfo, 'available'> {
  return {
    agentType: options.id,
    name: options.name ?? options.id,
    description: options.description ?? `${label} ${options.model}`,
    capabilities: ['conversation', 'analysis', 'code_generation'],
    metadata: { kind, model: options.model, base_url: publicUrl(options.baseUrl) },
  };
}

/** Builds the outcome metadata (model, usage, stop reason) from a summary. */
export function summaryMetadata(provider: string, s: StreamSummary, pricing?: TokenPricing): JsonObject {
  const usage: Record<string, number> = {};
  if (s.inputTokens !== undefined) usage['input_tokens'] = s.inputTokens;
  if (s.outputTokens !== undefined) usage['output_tokens'] = s.outputTokens;
  if (s.inputTokens !== undefined && s.outputTokens !== undefined) usage['total_tokens'] = s.inputTokens + s.outputTokens;
  return {
    provider,
    model: s.model,
    usage,
    ...(s.stopReason !== undefined ? { stop_reason: s.stopReason } : {}),
    ...(pricing !== undefined && s.inputTokens !== undefined && s.outputTokens !== undefined
      ? { cost_usd: Number(((s.inputTokens * pricing.inputPerMillion + s.outputTokens * pricing.outputPerMillion) / 1e6).toFixed(6)) }
      : {}),
  };
}
