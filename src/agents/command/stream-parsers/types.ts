/** Stream parsers turn a coding CLI's stdout lines into task events and a final outcome. */
import type { AgentEmission } from '../../../core/ports/agent-adapter.ts';
import type { JsonObject } from '../../../core/domain/json.ts';

export type StreamParserId = 'claude-code' | 'codex' | 'plain';

/** What a parser found once the stream has ended. */
export interface ParsedOutcome {
  /** The final answer, when the stream carries one (otherwise the raw output is the result). */
  readonly result?: string;
  /** Usage, cost, session id, files edited, … (JSON only). */
  readonly metadata: JsonObject;
  /** Set when the stream reports a failure although the program exited 0. */
  readonly error?: string;
}

/** One parser per run: `line` for every stdout line (without the newline), `finish` once at the end. */
export interface StreamParser {
  line(line: string): void;
  finish(): ParsedOutcome;
}

export type Emit = (emission: AgentEmission) => void;

/** The longest message of one event; longer lines are cut. */
export const MAX_EVENT_CHARS = 4000;

/** Parses one line as a JSON object, or undefined (malformed, or not an object). */
export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(trimmed);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A plain output event for a line that is not (or not understood as) a stream event. */
export function emitPlain(emit: Emit, line: string): void {
  if (line.length > 0) emit({ type: 'output', message: line.slice(0, MAX_EVENT_CHARS) });
}

const SUMMARY_KEYS = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description'] as const;

/** A short, one-line description of a tool's input: its telling field, else compact JSON, cut to 200 chars. */
export function summarizeInput(input: unknown): string {
  const rec = asRecord(input);
  if (rec) {
    for (const k of SUMMARY_KEYS) {
      const v = asString(rec[k]);
      if (v !== undefined) return v.replace(/\s+/g, ' ').slice(0, 200);
    }
  }
  let text: string;
  try {
    text = JSON.stringify(input) ?? '';
  } catch {
    text = '';
  }
  return text.slice(0, 200);
}

/** Token counts in the shape the LLM agents use (`input_tokens`, `output_tokens`, `total_tokens`, cache fields). */
export function normalizeUsage(usage: unknown): JsonObject | undefined {
  const u = asRecord(usage);
  if (!u) return undefined;
  const out: JsonObject = {};
  for (const k of ['input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']) {
    const n = asNumber(u[k]);
    if (n !== undefined) out[k] = n;
  }
  const input = asNumber(u['input_tokens']);
  const output = asNumber(u['output_tokens']);
  if (input !== undefined && output !== undefined) out['total_tokens'] = input + output;
  return Object.keys(out).length > 0 ? out : undefined;
}
