/** Command-line input beyond what commander parses: stdin text, JSON context, numbers. */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './cli-errors.ts';

/** Reads all of stdin (for `-` arguments). */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Joins the words of a variadic argument; a lone `-` means "read it from stdin". */
export async function readText(words: readonly string[], what: string): Promise<string> {
  const text = words.length === 1 && words[0] === '-' ? (await readStdin()).replace(/\r?\n$/, '') : words.join(' ');
  if (text.trim() === '') throw new UsageError(`the ${what} is empty`);
  return text;
}

function parseObject(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${source} must be a JSON object, e.g. '{"key": "value"}'`);
  }
  return value as Record<string, unknown>;
}

/** The task context from --context or --context-file (`-` = stdin); undefined when neither. */
export async function readContext(
  opts: { readonly context?: string | undefined; readonly contextFile?: string | undefined },
  stdinTaken: boolean,
): Promise<Record<string, unknown> | undefined> {
  if (opts.context !== undefined && opts.contextFile !== undefined) {
    throw new UsageError('give --context or --context-file, not both');
  }
  if (opts.context !== undefined) return parseObject(opts.context, '--context');
  if (opts.contextFile === undefined) return undefined;
  if (opts.contextFile === '-') {
    if (stdinTaken) throw new UsageError('stdin cannot hold both the prompt and the context');
    return parseObject(await readStdin(), 'the context on stdin');
  }
  let text: string;
  try {
    text = await readFile(opts.contextFile, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(`cannot read --context-file ${opts.contextFile}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  return parseObject(text, opts.contextFile);
}

/** Commander argument parser for counts such as --limit (a usage error otherwise). */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(value);
}

/** Commander argument parser for positions such as --after (0 or more; a usage error otherwise). */
export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of at least 0');
  return Number(value);
}
