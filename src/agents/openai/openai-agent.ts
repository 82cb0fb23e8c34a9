/**
 * An OpenAI-compatible chat-completions agent (OpenAI, vLLM, LM Studio,
 * llama.cpp server …): streams the reply, batching text deltas into `output`
 * events; the full text is the result, model and token usage the metadata.
 */
import OpenAI from 'openai';
import { AgentError } from '../../core/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports.ts';
import { DEFAULT_LLM_RETRY, publicUrl, requireKey, summaryMetadata, type LlmAgentOptions, type StreamSummary } from '../llm/llm-agent-options.ts';
import { createOutputCoalescer } from '../llm/output-coalescer.ts';
import { toAgentError } from '../llm/provider-errors.ts';

const PROVIDER = 'openai';
// Local servers (llama.cpp, vLLM without --api-key) want no key, but the SDK insists on one.
const NO_KEY = 'sk-no-key-required';

/** Creates an agent that talks to `{baseUrl}/chat/completions`. */
export function createOpenAiAgent(options: LlmAgentOptions): AgentAdapter {
  return {
    info: {
      agentType: options.id,
      name: options.name ?? options.id,
      description: options.description ?? `OpenAI-compatible chat model ${options.model}`,
      capabilities: ['conversation', 'analysis', 'code_generation'],
      metadata: { kind: 'openai', model: options.model, base_url: publicUrl(options.baseUrl) },
    },
    retry: options.retry ?? DEFAULT_LLM_RETRY,
    // Listing agents must stay cheap: a present key is all we check, no network call.
    isAvailable: async () => options.apiKeyRef === undefined || options.apiKey !== undefined,
    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      const apiKey = requireKey(PROVIDER, options) ?? NO_KEY;
      const client = new OpenAI({
        apiKey,
        baseURL: options.baseUrl,
        organization: null,
        project: null,
        maxRetries: 0, // the engine retries, honouring Retry-After, so attempts are visible and durable
        logLevel: 'off',
      });
      const summary: StreamSummary = { text: '', model: options.model, inputTokens: undefined, outputTokens: undefined, stopReason: undefined };
      const out = createOutputCoalescer((text) => ctx.emit({ type: 'output', message: text }), options.coalesce);
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
      if (options.systemPrompt !== undefined) messages.push({ role: 'system', content: options.systemPrompt });
      messages.push({ role: 'user', content: ctx.prompt });
      try {
        const stream = await client.chat.completions.create(
          {
            model: options.model,
            messages,
            stream: true,
            stream_options: { include_usage: true },
            // max_tokens, not max_completion_tokens: the compatible servers understand only the former.
            ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
            ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          },
          { signal: ctx.signal },
        );
        for await (const chunk of stream) {
          if (chunk.model) summary.model = chunk.model;
          if (chunk.usage) {
            summary.inputTokens = chunk.usage.prompt_tokens;
            summary.outputTokens = chunk.usage.completion_tokens;
          }
          const choice = chunk.choices?.[0];
          const delta = choice?.delta?.content;
          if (typeof delta === 'string' && delta.length > 0) {
            summary.text += delta;
            out.push(delta);
          }
          if (choice?.finish_reason) summary.stopReason = choice.finish_reason;
        }
        // The SDK ends quietly on abort and on a stream closed early; neither is a success.
        ctx.signal.throwIfAborted();
        if (summary.stopReason === undefined) {
          throw new AgentError(`${PROVIDER} stream ended before the reply was finished`, { retryable: true });
        }
      } catch (err) {
        throw toAgentError(err, { provider: PROVIDER, secrets: [options.apiKey], signal: ctx.signal });
      } finally {
        out.flush();
      }
      return { result: summary.text, metadata: summaryMetadata(PROVIDER, summary) };
    },
  };
}
