/**
 * The tool-calling loop shared by the LLM agents: ask the model (one streamed
 * turn), run the tools it called through `ctx.tools` (authorized, audited, maybe
 * approved), hand the results back, and repeat until it answers without calling
 * a tool, at most `maxTurns` times. Each provider supplies only its wire format.
 */
import { AgentError } from '../../core/domain/errors.ts';
import type { AgentRunContext } from '../../core/ports/agent-adapter.ts';
import type { ToolResult, ToolSpec } from '../../core/ports/tool-gate.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import type { StreamSummary } from './llm-agent-options.ts';

/** Model turns per task at most (default). */
export const DEFAULT_MAX_TOOL_TURNS = 10;
/** Longest tool description (skill description and instructions) sent to a model. */
const MAX_DESCRIPTION = 16 * 1024;
/** Longest error text in a log event. */
const MAX_LOGGED_ERROR = 300;
/** Characters of a call's input and of its result kept in its events, for those who watch the task. */
export const TOOL_PREVIEW_CHARS = 2000;

const preview = (text: string): string => (text.length > TOOL_PREVIEW_CHARS ? `${text.slice(0, TOOL_PREVIEW_CHARS)}…` : text);
const inputText = (input: string | JsonObject): string => (typeof input === 'string' ? input : JSON.stringify(input));

/** One tool call as the model made it. */
export interface ToolCallRequest {
  readonly id: string;
  readonly name: string;
  /** JSON text (OpenAI, Anthropic) or an already parsed object (Ollama). */
  readonly input: string | JsonObject;
}

/** A call and what it gave back. */
export interface ToolCallOutcome {
  readonly call: ToolCallRequest;
  readonly result: ToolResult;
}

export interface ToolLoop {
  readonly ctx: AgentRunContext;
  readonly provider: string;
  readonly summary: StreamSummary;
  /** (default: 10) */
  readonly maxTurns?: number;
  /** Streams one model turn over the conversation so far; returns the tool calls it made (none: done). */
  turn(): Promise<readonly ToolCallRequest[]>;
  /** Adds the model's calls and their results to the conversation. */
  answer(outcomes: readonly ToolCallOutcome[]): void;
}

/** The tools offered in this run (none without a tool gate or allowed skills). */
export async function offeredTools(ctx: AgentRunContext): Promise<readonly ToolSpec[]> {
  return ctx.tools === undefined ? [] : ctx.tools.list();
}

/** What the model reads about a tool: the skill's description, then its SKILL.md instructions. */
export function toolDescription(spec: ToolSpec): string {
  const text = spec.instructions.trim() === '' ? spec.description : `${spec.description}\n\n${spec.instructions.trim()}`;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}

/** The text a tool result is sent back as. */
export function resultText(result: ToolResult): string {
  return result.ok ? result.output : `Error: ${result.error}`;
}

/** Adds one turn's token counts to the run's totals. */
export function addUsage(summary: StreamSummary, input: number | undefined, output: number | undefined): void {
  if (input !== undefined) summary.inputTokens = (summary.inputTokens ?? 0) + input;
  if (output !== undefined) summary.outputTokens = (summary.outputTokens ?? 0) + output;
}

/** Appends streamed text to the result and the output events. */
export function pushText(loop: Pick<ToolLoop, 'summary' | 'ctx'>, text: string): void {
  if (text.length === 0) return;
  loop.summary.text += text;
  loop.ctx.stream(text);
}

function parseInput(input: string | JsonObject): JsonObject | undefined {
  if (typeof input !== 'string') return input;
  if (input.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(input);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

async function runCall(loop: ToolLoop, call: ToolCallRequest): Promise<ToolResult> {
  const { ctx } = loop;
  const input = parseInput(call.input);
  ctx.emit({ type: 'log', message: `tool call: ${call.name}`, data: { tool: call.name, call_id: call.id, input: preview(inputText(call.input)) } });
  let result: ToolResult;
  if (input === undefined) result = { ok: false, error: 'the arguments are not a JSON object' };
  else if (ctx.tools === undefined) result = { ok: false, error: 'no tools are offered to this agent' };
  else result = await ctx.tools.call(call.name, input);
  const status = result.ok ? 'ok' : 'error';
  const detail = result.ok ? `${Buffer.byteLength(result.output)} bytes` : result.error.slice(0, MAX_LOGGED_ERROR);
  ctx.emit({ type: 'log', message: `tool ${call.name}: ${status} (${detail})`, data: { tool: call.name, call_id: call.id, status, result: preview(result.ok ? result.output : result.error) } });
  return result;
}

/** Runs turns until the model stops calling tools; fails clearly after `maxTurns`. */
export async function runToolLoop(loop: ToolLoop): Promise<void> {
  const max = loop.maxTurns ?? DEFAULT_MAX_TOOL_TURNS;
  for (let turn = 1; ; turn++) {
    // Text of consecutive turns would run together ("Let me check.The answer…").
    if (turn > 1 && loop.summary.text !== '' && !/\s$/.test(loop.summary.text)) pushText(loop, '\n\n');
    const calls = await loop.turn();
    loop.ctx.signal.throwIfAborted();
    if (calls.length === 0) return;
    if (turn >= max) {
      throw new AgentError(`${loop.provider}: the model still called tools after ${max} turns; stopped without a final answer`);
    }
    const outcomes: ToolCallOutcome[] = [];
    // One at a time: an approval puts the whole task in `waiting`.
    for (const call of calls) outcomes.push({ call, result: await runCall(loop, call) });
    loop.answer(outcomes);
  }
}
