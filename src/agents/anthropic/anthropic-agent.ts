/**
 * An Anthropic Messages API agent: streams the reply, batching text deltas into
 * `output` events; offers the allowed skills as tools (`tool_use` / `tool_result`,
 * tool-loop.ts); the full text is the result, model and token usage (summed over
 * the turns) the metadata.
 */
import Anthropic from '@anthropic-ai/sdk';
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import { DEFAULT_LLM_RETRY, llmAgentInfo, newSummary, requireKey, summaryMetadata, type LlmAgentOptions } from '../llm/llm-agent-options.ts';
import { conversationMessages } from '../llm/conversation.ts';
import { toAgentError } from '../llm/provider-errors.ts';
import { addUsage, offeredTools, pushText, resultText, runToolLoop, toolDescription } from '../llm/tool-loop.ts';

const PROVIDER = 'anthropic';
/** Reply length when none is configured (the API requires one). */
const DEFAULT_MAX_TOKENS = 1024;
/** Stream `error` events whose type says trying again later may work. */
const RETRYABLE_STREAM_ERRORS = new Set(['overloaded_error', 'api_error', 'rate_limit_error']);

/** Creates an agent that talks to `{baseUrl}/v1/messages`. */
export function createAnthropicAgent(options: LlmAgentOptions): AgentAdapter {
  return {
    info: llmAgentInfo(options, 'anthropic', 'Anthropic model'),
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
      const summary = newSummary(options.model);
      const messages: Anthropic.MessageParam[] = conversationMessages(ctx.history, ctx.prompt);
      let assistant: Anthropic.ContentBlockParam[] = [];
      try {
        const tools: Anthropic.Tool[] = (await offeredTools(ctx)).map((t) => ({
          name: t.name,
          description: toolDescription(t),
          input_schema: { ...t.inputSchema, type: 'object' },
        }));
        await runToolLoop({
          ctx,
          provider: PROVIDER,
          summary,
          ...(options.maxToolTurns !== undefined ? { maxTurns: options.maxToolTurns } : {}),
          turn: async () => {
            const stream = await client.messages.create(
              {
                model: options.model,
                max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
                messages,
                ...(tools.length > 0 ? { tools } : {}),
                ...(options.systemPrompt !== undefined ? { system: options.systemPrompt } : {}),
                ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
                stream: true,
              },
              { signal: ctx.signal },
            );
            // Content blocks by index: text, or tool_use whose input arrives as partial JSON.
            const blocks = new Map<number, { kind: 'text'; text: string } | { kind: 'tool'; id: string; name: string; json: string }>();
            let stopped = false;
            let input: number | undefined;
            let output: number | undefined;
            for await (const event of stream) {
              switch (event.type) {
                case 'message_start':
                  summary.model = event.message.model || summary.model;
                  input = event.message.usage?.input_tokens ?? undefined;
                  output = event.message.usage?.output_tokens ?? undefined;
                  break;
                case 'content_block_start':
                  if (event.content_block.type === 'tool_use') {
                    blocks.set(event.index, { kind: 'tool', id: event.content_block.id, name: event.content_block.name, json: '' });
                  } else if (event.content_block.type === 'text') blocks.set(event.index, { kind: 'text', text: '' });
                  break;
                case 'content_block_delta': {
                  const block = blocks.get(event.index);
                  if (event.delta.type === 'text_delta') {
                    if (block?.kind === 'text') block.text += event.delta.text;
                    else blocks.set(event.index, { kind: 'text', text: event.delta.text });
                    pushText({ summary, ctx }, event.delta.text);
                  } else if (event.delta.type === 'input_json_delta' && block?.kind === 'tool') block.json += event.delta.partial_json;
                  break;
                }
                case 'message_delta':
                  // Usage here is cumulative for the message, so it replaces what message_start said.
                  output = event.usage?.output_tokens ?? output;
                  input = event.usage?.input_tokens ?? input;
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
            addUsage(summary, input, output);
            const ordered = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
            const calls = ordered.flatMap((b) => (b.kind === 'tool' ? [{ id: b.id, name: b.name, input: b.json }] : []));
            assistant = ordered.flatMap((b): Anthropic.ContentBlockParam[] => {
              if (b.kind === 'text') return b.text === '' ? [] : [{ type: 'text', text: b.text }];
              return [{ type: 'tool_use', id: b.id, name: b.name, input: parseObject(b.json) }];
            });
            return calls;
          },
          answer: (outcomes) => {
            messages.push({ role: 'assistant', content: assistant });
            messages.push({
              role: 'user',
              content: outcomes.map((o) => ({
                type: 'tool_result' as const,
                tool_use_id: o.call.id,
                content: resultText(o.result),
                ...(o.result.ok ? {} : { is_error: true }),
              })),
            });
          },
        });
      } catch (err) {
        throw toAgentError(streamErrorOf(err), { provider: PROVIDER, secrets: [options.apiKey], signal: ctx.signal });
      }
      return { result: summary.text, metadata: summaryMetadata(PROVIDER, summary, options.pricing) };
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

/** The tool input as sent back in the assistant turn: the parsed object, or {} when the model sent broken JSON. */
function parseObject(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json === '' ? '{}' : json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
