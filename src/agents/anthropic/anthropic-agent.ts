/**
 * An Anthropic Messages API agent: streams the reply, batching text deltas into
 * `output` events; the full text is the result, model and token usage the metadata.
 */
import Anthropic from '@anthropic-ai/sdk';
import { AgentError } from '../../core/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports.ts';
import { DEFAULT_LLM_RETRY, publicUrl, requireKey, summaryMetadata, type LlmAgentOptions, type StreamSummary } from '../llm/llm-agent-options.ts';
import { createOutputCoalescer } from '../llm/output-coalescer.ts';
import { toAgentError } from '../llm/provider-errors.ts';

const PROVIDER = 'anthropic';
/** Reply length when none is configured (the API requires one). */
const DEFAULT_MAX_TOKENS = 1024;
/** Stream `error` events whose type says trying again later may work. */
const RETRYABLE_STREAM_ERRORS = new Set(['overloaded_error', 'api_error', 'rate_limit_error']);

/** Creates an agent that talks to `{baseUrl}/v1/messages`. */
export function createAnthropicAgent(options: LlmAgentOptions): AgentAdapter {
  return {
    info: {
      agentType: options.id,
      name: options.name ?? options.id,
      description: options.description ?? `Anthropic model ${options.model}`,
      capabilities: ['conversation', 'analysis', 'code_generation'],
      metadata: { kind: 'anthropic', model: options.model, base_url: publicUrl(options.baseUrl) },
    },
    retry: options.retry ?? DEFAULT_LLM_RETRY,
    // Listing agents must stay cheap: a present key is all we check, no network call.
    isAvailable: async () => options.apiKey !== undefined,
    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      const apiKey = requireKey(PROVIDER, { ...options, apiKeyRef: options.apiKeyRef ?? 'env:ANTHROPIC_API_KEY' });
      const client = new Anthropic({
        apiKey,
        baseURL: options.baseUrl,
        maxRetries: 0, // the engine retries, honouring Retry-After, so attempts are visible and durable
        logLevel: 'off',
      });
      const summary: StreamSummary = { text: '', model: options.model, inputTokens: undefined, outputTokens: undefined, stopReason: undefined };
      const out = createOutputCoalescer((text) => ctx.emit({ type: 'output', message: text }), options.coalesce);
      let stopped = false;
      try {
        const stream = await client.messages.create(
          {
            model: options.model,
            max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
            messages: [{ role: 'user', content: ctx.prompt }],
            ...(options.systemPrompt !== undefined ? { system: options.systemPrompt } : {}),
            ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
            stream: true,
          },
          { signal: ctx.signal },
        );
        for await (const event of stream) {
          switch (event.type) {
            case 'message_start':
              summary.model = event.message.model || summary.model;
              summary.inputTokens = event.message.usage?.input_tokens ?? undefined;
              summary.outputTokens = event.message.usage?.output_tokens ?? undefined;
              break;
            case 'content_block_delta':
              if (event.delta.type === 'text_delta') {
                summary.text += event.delta.text;
                out.push(event.delta.text);
              }
              break;
            case 'message_delta':
              // Usage here is cumulative for the message, so it replaces what message_start said.
              summary.outputTokens = event.usage?.output_tokens ?? summary.outputTokens;
              summary.inputTokens = event.usage?.input_tokens ?? summary.inputTokens;
              summary.stopReason = event.delta.stop_reason ?? summary.stopReason;
              break;
            case 'message_stop':
              stopped = true;
              break;
            default:
              break;
          }
        }
        // The SDK ends quietly on abort and on a stream closed early; neither is a success.
        ctx.signal.throwIfAborted();
        if (!stopped) throw new AgentError(`${PROVIDER} stream ended before message_stop`, { retryable: true });
      } catch (err) {
        throw toAgentError(streamErrorOf(err), { provider: PROVIDER, secrets: [options.apiKey], signal: ctx.signal });
      } finally {
        out.flush();
      }
      return { result: summary.text, metadata: summaryMetadata(PROVIDER, summary) };
    },
  };
}

/** An `event: error` inside a 200 stream has no status; its type says whether to retry. */
function streamErrorOf(err: unknown): unknown {
  if (!(err instanceof Anthropic.APIError) || err.status !== undefined || err instanceof Anthropic.APIConnectionError) return err;
  const type = (err.error as { error?: { type?: unknown } } | undefined)?.error?.type ?? err.type;
  const retryable = typeof type === 'string' && RETRYABLE_STREAM_ERRORS.has(type);
  return new AgentError(`${PROVIDER} stream error${typeof type === 'string' ? ` (${type})` : ''}: ${err.message}`, { retryable });
}
