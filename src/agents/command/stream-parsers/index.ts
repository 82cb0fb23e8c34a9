/** Picks a stream parser by id. */
import { createClaudeCodeParser } from './claude-code.ts';
import { createCodexParser } from './codex.ts';
import { createPlainParser } from './plain.ts';
import type { Emit, StreamParser, StreamParserId } from './types.ts';

export type { StreamParser, StreamParserId, ParsedOutcome } from './types.ts';

export function createStreamParser(id: StreamParserId, emit: Emit): StreamParser {
  switch (id) {
    case 'claude-code':
      return createClaudeCodeParser(emit);
    case 'codex':
      return createCodexParser(emit);
    case 'plain':
      return createPlainParser(emit);
  }
}
