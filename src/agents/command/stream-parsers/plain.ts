/** The plain parser: every non-empty stdout line is an `output` event; the raw output is the result. */
import { emitPlain, type Emit, type StreamParser } from './types.ts';

export function createPlainParser(emit: Emit): StreamParser {
  return {
    line: (line) => emitPlain(emit, line),
    finish: () => ({ metadata: {} }),
  };
}
