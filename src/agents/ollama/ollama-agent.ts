/**
 * An Ollama agent on the native `/api/chat` endpoint: streams NDJSON, batching
 * text deltas into `output` events; offers the allowed skills as tools
 * (`message.tool_calls`, answered with `role: tool` messages; tool-loop.ts); the
 * full text is the result, model and token counts (prompt_eval_count, eval_count,
 * summed over the turns) the metadata.
 */
import { Ollama, type Message, type Tool, type ToolCall } from 'ollama';
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports/agent-adapter.ts';
import { DEFAULT_LLM_RETRY, llmAgentInfo, newSummary, summaryMetadata, type LlmAgentOptions } from '../llm/llm-agent-options.ts';
import { conversationMessages } from '../llm/conversation.ts';
import { errorForStatus, toAgentError } from '../llm/provider-errors.ts';
import { addUsage, offeredTools, pushText, resultText, runToolLoop, toolDescription } from '../llm/tool-loop.ts';
import type { JsonObject } from '../../core/domain/json.ts';

const PROVIDER = 'ollama';

/** Creates an agent that talks to `{baseUrl}/api/chat`. */
export function createOllamaAgent(options: LlmAgentOptions): AgentAdapter {
  return {
    info: llmAgentInfo(options, 'ollama', 'Ollama model'),
    retry: options.retry ?? DEFAULT_LLM_RETRY,
    // No key, and listing agents must not probe the network: assume a configured server is there.
    isAvailable: async () => true,
    async run(ctx: AgentRunContext): Promise<AgentOutcome> {
      let lastHeaders: Headers | undefined;
      // The SDK takes no per-request signal and skips malformed lines silently; this fetch adds both.
      const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const signal = init?.signal ? AbortSignal.any([init.signal, ctx.signal]) : ctx.signal;
        const res = await fetch(input, { ...init, signal });
        lastHeaders = res.headers;
        if (!res.ok || res.body === null) return res;
        return new Response(res.body.pipeThrough(ndjsonGuard()), { status: res.status, statusText: res.statusText, headers: res.headers });
      };
      const client = new Ollama({ host: options.baseUrl, fetch: guardedFetch });
      const summary = newSummary(options.model);
      const messages: Message[] = options.systemPrompt !== undefined ? [{ role: 'system', content: options.systemPrompt }] : [];
      messages.push(...conversationMessages(ctx.history, ctx.prompt));
      const modelOptions = {
        ...(options.maxTokens !== undefined ? { num_predict: options.maxTokens } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      };
      let assistant: Message | undefined;
      let turnNo = 0;
      try {
        const tools: Tool[] = (await offeredTools(ctx)).map((t) => ({
          type: 'function',
          function: { name: t.name, description: toolDescription(t), parameters: t.inputSchema as NonNullable<Tool['function']['parameters']> },
        }));
        await runToolLoop({
          ctx,
          provider: PROVIDER,
          summary,
          ...(options.maxToolTurns !== undefined ? { maxTurns: options.maxToolTurns } : {}),
          turn: async () => {
            turnNo += 1;
            const stream = await client.chat({
              model: options.model,
              messages,
              stream: true,
              options: modelOptions,
              ...(tools.length > 0 ? { tools } : {}),
            });
            let text = '';
            let done = false;
            // Ollama sends each tool call whole (arguments already an object), usually in one chunk before `done`.
            const calls: ToolCall[] = [];
            for await (const part of stream) {
              if (part.model) summary.model = part.model;
              const delta = part.message?.content ?? '';
              text += delta;
              pushText({ summary, ctx }, delta);
              for (const call of part.message?.tool_calls ?? []) calls.push(call);
              if (part.done) {
                done = true;
                summary.stopReason = part.done_reason || 'stop';
                addUsage(summary, part.prompt_eval_count, part.eval_count);
              }
            }
            ctx.signal.throwIfAborted();
            if (!done) throw new AgentError(`${PROVIDER} stream ended before the reply was done`, { retryable: true });
            assistant = { role: 'assistant', content: text, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
            return calls.map((c, i) => ({
              id: `call_${turnNo}_${i}`,
              name: c.function.name,
              input: (c.function.arguments ?? {}) as JsonObject,
            }));
          },
          answer: (outcomes) => {
            if (assistant !== undefined) messages.push(assistant);
            for (const o of outcomes) messages.push({ role: 'tool', content: resultText(o.result), tool_name: o.call.name });
          },
        });
      } catch (err) {
        throw toAgentError(classify(err, lastHeaders), { provider: PROVIDER, secrets: [], signal: ctx.signal });
      }
      return { result: summary.text, metadata: summaryMetadata(PROVIDER, summary, options.pricing) };
    },
  };
}

/** Maps the SDK's untyped errors: HTTP errors carry `status_code`, a stream without `done` was cut. */
function classify(err: unknown, headers: Headers | undefined): unknown {
  const { name, status_code: status, message } = (err ?? {}) as { name?: unknown; status_code?: unknown; message?: unknown };
  if (name === 'ResponseError' && typeof status === 'number') return errorForStatus(PROVIDER, status, String(message), headers);
  if (typeof message === 'string' && message.startsWith('Did not receive done')) {
    return new AgentError(`${PROVIDER} stream ended before the reply was done`, { retryable: true });
  }
  return err;
}

/** Passes NDJSON through unchanged, failing the stream at the first line that is not JSON. */
function ndjsonGuard(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let pending = '';
  const check = (line: string): void => {
    if (line.trim() === '') return;
    try {
      JSON.parse(line);
    } catch {
      throw new SyntaxError(`malformed NDJSON line: ${line.slice(0, 200)}`);
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(check);
      controller.enqueue(chunk);
    },
    flush() {
      check(pending + decoder.decode());
    },
  });
}
