/**
 * An OpenAI-compatible chat-completions agent (OpenAI, vLLM, LM Studio,
 * llama.cpp server …): streams the reply, batching text deltas into `output`
 * events; offers the allowed skills as function tools and runs the calls the
 * model makes (tool-loop.ts); the full text is the result, model and token usage
 * (summed over the turns) the metadata.
 */
import OpenAI from 'openai';
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import { DEFAULT_LLM_RETRY, llmAgentInfo, newSummary, requireKey, summaryMetadata, type LlmAgentOptions } from '../llm/llm-agent-options.ts';
import { conversationMessages } from '../llm/conversation.ts';
import { toAgentError } from '../llm/provider-errors.ts';
import { addUsage, offeredTools, pushText, resultText, runToolLoop, toolDescription } from '../llm/tool-loop.ts';

const PROVIDER = 'openai';
// Local servers (llama.cpp, vLLM without --api-key) want no key, but the SDK insists on one.
const NO_KEY = 'sk-no-key-required';

/** Creates an agent that talks to `{baseUrl}/chat/completions`. */
export function createOpenAiAgent(options: LlmAgentOptions): AgentAdapter {
  return {
    info: llmAgentInfo(options, 'openai', 'OpenAI-compatible chat model'),
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
      const summary = newSummary(options.model);
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
      if (options.systemPrompt !== undefined) messages.push({ role: 'system', content: options.systemPrompt });
      messages.push(...conversationMessages(ctx.history, ctx.prompt));
      let assistant: OpenAI.Chat.ChatCompletionAssistantMessageParam | undefined;
      try {
        const tools: OpenAI.Chat.ChatCompletionFunctionTool[] = (await offeredTools(ctx)).map((t) => ({
          type: 'function',
          function: { name: t.name, description: toolDescription(t), parameters: t.inputSchema },
        }));
        await runToolLoop({
          ctx,
          provider: PROVIDER,
          summary,
          ...(options.maxToolTurns !== undefined ? { maxTurns: options.maxToolTurns } : {}),
          turn: async () => {
            const stream = await client.chat.completions.create(
              {
                model: options.model,
                messages,
                stream: true,
                stream_options: { include_usage: true },
                ...(tools.length > 0 ? { tools } : {}),
                // max_tokens, not max_completion_tokens: the compatible servers understand only the former.
                ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
                ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
              },
              { signal: ctx.signal },
            );
            let text = '';
            let finish: string | undefined;
            // Tool calls arrive as fragments keyed by index: the id and name first, then pieces of the arguments.
            const calls = new Map<number, { id: string; name: string; args: string }>();
            for await (const chunk of stream) {
              if (chunk.model) summary.model = chunk.model;
              if (chunk.usage) addUsage(summary, chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
              const choice = chunk.choices?.[0];
              const delta = choice?.delta?.content;
              if (typeof delta === 'string' && delta.length > 0) {
                text += delta;
                pushText({ summary, ctx }, delta);
              }
              for (const tc of choice?.delta?.tool_calls ?? []) {
                const call = calls.get(tc.index) ?? { id: '', name: '', args: '' };
                if (tc.id) call.id = tc.id;
                if (tc.function?.name) call.name += tc.function.name;
                if (tc.function?.arguments) call.args += tc.function.arguments;
                calls.set(tc.index, call);
              }
              if (choice?.finish_reason) finish = choice.finish_reason;
            }
            // The SDK ends quietly on abort and on a stream closed early; neither is a success.
            ctx.signal.throwIfAborted();
            if (finish === undefined) throw new AgentError(`${PROVIDER} stream ended before the reply was finished`, { retryable: true });
            summary.stopReason = finish;
            const made = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, c]) => ({ ...c, id: c.id || `call_${i}` }));
            assistant = {
              role: 'assistant',
              content: text === '' ? null : text,
              ...(made.length > 0
                ? { tool_calls: made.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.args } })) }
                : {}),
            };
            return made.map((c) => ({ id: c.id, name: c.name, input: c.args }));
          },
          answer: (outcomes) => {
            if (assistant !== undefined) messages.push(assistant);
            for (const o of outcomes) messages.push({ role: 'tool', tool_call_id: o.call.id, content: resultText(o.result) });
          },
        });
      } catch (err) {
        throw toAgentError(err, { provider: PROVIDER, secrets: [options.apiKey], signal: ctx.signal });
      }
      return { result: summary.text, metadata: summaryMetadata(PROVIDER, summary, options.pricing) };
    },
  };
}
