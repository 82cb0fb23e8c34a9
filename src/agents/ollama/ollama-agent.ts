/**
 * An Ollama agent on the native `/api/chat` endpoint: streams NDJSON, batching
 * text deltas into `output` events; the full text is the result, model and
 * token counts (prompt_eval_count, eval_count) the metadata.
 */
import { Ollama } from 'ollama';
import { AgentError } from '../../core/errors.ts';
import type { AgentAdapter, AgentOutcome, AgentRunContext } from '../../core/ports.ts';
import { DEFAULT_LLM_RETRY, publicUrl, summaryMetadata, type LlmAgentOptions, type StreamSummary } from '../llm/llm-agent-options.ts';
import { createOutputCoalescer } from '../llm/output-coalescer.ts';
import { errorForStatus, toAgentError } from '../llm/provider-errors.ts';

const PROVIDER = 'ollama';

/** Creates an agent that talks to `{baseUrl}/api/chat`. */
export function createOllamaAgent(options: LlmAgentOptions): AgentAdapter {
  return {
    info: {
      agentType: options.id,
      name: options.name ?? options.id,
      description: options.description ?? `Ollama model ${options.model}`,
      capabilities: ['conversation', 'analysis', 'code_generation'],
      metadata: { kind: 'ollama', model: options.model, base_url: publicUrl(options.baseUrl) },
    },
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
      const summary: StreamSummary = { text: '', model: options.model, inputTokens: undefined, outputTokens: undefined, stopReason: undefined };
      const out = createOutputCoalescer((text) => ctx.emit({ type: 'output', message: text }), options.coalesce);
      const messages = options.systemPrompt !== undefined ? [{ role: 'system', content: options.systemPrompt }] : [];
      messages.push({ role: 'user', content: ctx.prompt });
      const modelOptions = {
        ...(options.maxTokens !== undefined ? { num_predict: options.maxTokens } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      };
      try {
        const stream = await client.chat({ model: options.model, messages, stream: true, options: modelOptions });
        for await (const part of stream) {
          if (part.model) summary.model = part.model;
          const delta = part.message?.content ?? '';
          summary.text += delta;
          out.push(delta);
          if (part.done) {
            summary.stopReason = part.done_reason || 'stop';
            summary.inputTokens = part.prompt_eval_count;
            summary.outputTokens = part.eval_count;
          }
        }
        ctx.signal.throwIfAborted();
      } catch (err) {
        throw toAgentError(classify(err, lastHeaders), { provider: PROVIDER, secrets: [], signal: ctx.signal });
      } finally {
        out.flush();
      }
      return { result: summary.text, metadata: summaryMetadata(PROVIDER, summary) };
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
