/**
 * Claude Code's `--output-format stream-json` (with `-p --verbose`): one JSON object
 * per line, `type` system | assistant | user | result. Assistant text blocks become
 * `output` events (batched), tool_use blocks `log` events with {tool, input}; the
 * result line carries the final text, usage and cost. Anything else is plain output.
 */
import { createOutputCoalescer } from '../../llm/output-coalescer.ts';
import type { JsonObject } from '../../../core/domain/json.ts';
import {
  asNumber,
  asRecord,
  asString,
  emitPlain,
  normalizeUsage,
  parseJsonObject,
  summarizeInput,
  MAX_EVENT_CHARS,
  type Emit,
  type StreamParser,
} from './types.ts';

/** Tools whose input names a file they change. */
const EDIT_TOOLS = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit']);

export function createClaudeCodeParser(emit: Emit): StreamParser {
  // A long text block is split over several events rather than cut.
  const text = createOutputCoalescer((t) => {
    for (let i = 0; i < t.length; i += MAX_EVENT_CHARS) emit({ type: 'output', message: t.slice(i, i + MAX_EVENT_CHARS) });
  });
  const metadata: JsonObject = {};
  const filesEdited: string[] = [];
  let result: string | undefined;
  let error: string | undefined;

  const onAssistant = (msg: Record<string, unknown>): void => {
    const content = asRecord(msg['message'])?.['content'];
    if (!Array.isArray(content)) return;
    for (const block of content) {
      const b = asRecord(block);
      if (!b) continue;
      if (b['type'] === 'text') {
        const t = asString(b['text']);
        if (t) text.push(t.endsWith('\n') ? t : `${t}\n`);
      } else if (b['type'] === 'tool_use') {
        text.flush(); // keep text and tool calls in order
        const tool = asString(b['name']) ?? 'unknown';
        const input = summarizeInput(b['input']);
        const data: JsonObject = { tool, input };
        const file = asString(asRecord(b['input'])?.['file_path']);
        if (EDIT_TOOLS.has(tool) && file !== undefined) {
          data['file'] = file;
          if (!filesEdited.includes(file)) filesEdited.push(file);
        }
        emit({ type: 'log', message: `tool ${tool}: ${input}`.slice(0, MAX_EVENT_CHARS), data });
      }
    }
  };

  const onResult = (msg: Record<string, unknown>): void => {
    text.flush();
    const r = asString(msg['result']);
    if (r !== undefined) result = r;
    const usage = normalizeUsage(msg['usage']);
    if (usage) metadata['usage'] = usage;
    const cost = asNumber(msg['total_cost_usd']) ?? asNumber(msg['cost_usd']);
    if (cost !== undefined) metadata['cost_usd'] = cost;
    for (const k of ['num_turns', 'duration_ms'] as const) {
      const n = asNumber(msg[k]);
      if (n !== undefined) metadata[k] = n;
    }
    const subtype = asString(msg['subtype']);
    if (subtype !== undefined) metadata['stop_reason'] = subtype;
    if (msg['is_error'] === true) error = `Claude Code reported an error (${subtype ?? 'error'})${r ? `: ${r.slice(0, 500)}` : ''}`;
  };

  return {
    line(line) {
      const msg = parseJsonObject(line);
      if (!msg) return emitPlain(emit, line);
      switch (msg['type']) {
        case 'system': {
          if (msg['subtype'] === 'init') {
            const session = asString(msg['session_id']);
            const model = asString(msg['model']);
            if (session !== undefined) metadata['session_id'] = session;
            if (model !== undefined) metadata['model'] = model;
            emit({ type: 'log', message: `Claude Code started${model ? ` (${model})` : ''}` });
          }
          return;
        }
        case 'assistant':
          return onAssistant(msg);
        case 'user':
          return; // tool results: the tool_use log already says what happened
        case 'result':
          return onResult(msg);
        default:
          return emitPlain(emit, line);
      }
    },
    finish() {
      text.flush();
      if (filesEdited.length > 0) metadata['files_edited'] = filesEdited;
      return {
        metadata,
        ...(result !== undefined ? { result } : {}),
        ...(error !== undefined ? { error } : {}),
      };
    },
  };
}
