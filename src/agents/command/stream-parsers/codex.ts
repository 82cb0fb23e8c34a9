/**
 * Codex `codex exec --json`: JSONL events. Known: thread.started {thread_id},
 * turn.started, item.started / item.updated / item.completed {item: {type, …}}
 * with item types agent_message {text}, reasoning {text}, command_execution
 * {command, exit_code}, file_change {changes: [{path, kind}]}, mcp_tool_call
 * {server, tool}, web_search {query}, todo_list; turn.completed {usage};
 * turn.failed {error: {message}}; error {message}. Unknown or malformed lines
 * are plain output, so a format change degrades to text rather than failing.
 */
import type { JsonObject } from '../../../core/domain/json.ts';
import {
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

export function createCodexParser(emit: Emit): StreamParser {
  const metadata: JsonObject = {};
  const filesEdited: string[] = [];
  let lastMessage: string | undefined;
  let error: string | undefined;

  const log = (tool: string, input: string, extra: JsonObject = {}): void =>
    emit({ type: 'log', message: `tool ${tool}: ${input}`.slice(0, MAX_EVENT_CHARS), data: { tool, input, ...extra } });

  const onItem = (item: Record<string, unknown>): void => {
    switch (item['type']) {
      case 'agent_message': {
        const t = asString(item['text']);
        if (t) {
          lastMessage = t;
          emit({ type: 'output', message: t.slice(0, MAX_EVENT_CHARS) });
        }
        return;
      }
      case 'reasoning':
        return; // not part of the answer
      case 'command_execution':
        return log('shell', summarizeInput({ command: item['command'] }));
      case 'file_change': {
        const changes = Array.isArray(item['changes']) ? item['changes'] : [];
        for (const c of changes) {
          const path = asString(asRecord(c)?.['path']);
          if (path === undefined) continue;
          if (!filesEdited.includes(path)) filesEdited.push(path);
          log('file_change', path, { file: path, kind: asString(asRecord(c)?.['kind']) ?? 'update' });
        }
        return;
      }
      case 'mcp_tool_call':
        return log(`${asString(item['server']) ?? 'mcp'}.${asString(item['tool']) ?? 'tool'}`, summarizeInput(item['arguments'] ?? {}));
      case 'web_search':
        return log('web_search', summarizeInput({ query: item['query'] }));
      case 'todo_list':
        return;
      default:
        emit({ type: 'log', message: `codex item ${String(item['type'])}`.slice(0, 200) });
    }
  };

  return {
    line(line) {
      const msg = parseJsonObject(line);
      if (!msg) return emitPlain(emit, line);
      switch (msg['type']) {
        case 'thread.started': {
          const id = asString(msg['thread_id']);
          if (id !== undefined) metadata['session_id'] = id;
          return;
        }
        case 'turn.started':
        case 'item.started':
        case 'item.updated':
          return;
        case 'item.completed': {
          const item = asRecord(msg['item']);
          return item ? onItem(item) : emitPlain(emit, line);
        }
        case 'turn.completed': {
          const usage = normalizeUsage(msg['usage']);
          if (usage) metadata['usage'] = usage;
          return;
        }
        case 'turn.failed':
        case 'error': {
          const m = asString(asRecord(msg['error'])?.['message']) ?? asString(msg['message']) ?? 'unknown error';
          error = `Codex reported an error: ${m.slice(0, 500)}`;
          emit({ type: 'log', message: error });
          return;
        }
        default:
          return emitPlain(emit, line);
      }
    },
    finish() {
      if (filesEdited.length > 0) metadata['files_edited'] = filesEdited;
      return { metadata, ...(lastMessage !== undefined ? { result: lastMessage } : {}), ...(error !== undefined ? { error } : {}) };
    },
  };
}
