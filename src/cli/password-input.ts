/**
 * Reading passwords without putting them on the command line (where `ps` shows them):
 * a terminal prompt that does not echo, or stdin when it is not a terminal or
 * `--password-stdin` asks for it.
 */
import { createInterface } from 'node:readline';
import { UsageError } from './cli-errors.ts';
import { readStdin } from './input.ts';

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Mute the echo: readline writes typed characters through this method.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  process.stderr.write(question);
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** True when the passwords come from stdin: asked for, or no terminal to prompt on. */
export const passwordsFromStdin = (passwordStdin: boolean | undefined): boolean => passwordStdin === true || process.stdin.isTTY !== true;

/** The lines of stdin, without the final line break; `count` lines exactly, none empty. */
export async function readPasswordLines(count: number, what: string): Promise<string[]> {
  const text = (await readStdin()).replace(/\r?\n$/, '');
  const lines = text === '' ? [] : text.split(/\r?\n/);
  if (lines.length !== count) throw new UsageError(`stdin must hold ${what}, one per line (got ${lines.length} line${lines.length === 1 ? '' : 's'})`);
  if (lines.some((l) => l === '')) throw new UsageError('a password on stdin is empty');
  return lines;
}
