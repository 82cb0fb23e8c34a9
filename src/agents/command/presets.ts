/**
 * Presets for CLI coding agents: the argv (prompt placement), how the prompt is
 * passed, the stream parser, and environment variable *names* added to the
 * allow-list (values still come only from the server's environment). Prompts go
 * on stdin wherever the CLI reads it, so a prompt can never be taken for an option;
 * Aider gets it as one `--message=<prompt>` argument for the same reason.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { StreamParserId } from './stream-parsers/types.ts';

export const PRESET_IDS = ['claude-code', 'codex', 'gemini', 'goose', 'aider', 'generic'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** Marks where the prompt goes in an argument (`promptVia: 'arg'`). */
export const PROMPT_PLACEHOLDER = '{prompt}';

export interface CommandPreset {
  readonly id: PresetId;
  readonly description: string;
  /** Program and arguments; undefined for `generic` (the config gives the command). */
  readonly command: readonly string[] | undefined;
  readonly promptVia: 'stdin' | 'arg';
  readonly parser: StreamParserId;
  /** Variable names added to the allow-list. */
  readonly envAllow: readonly string[];
}

export const PRESETS: Readonly<Record<PresetId, CommandPreset>> = {
  'claude-code': {
    id: 'claude-code',
    description: 'Claude Code (claude -p, stream-json)',
    command: ['claude', '-p', '--output-format', 'stream-json', '--verbose'],
    promptVia: 'stdin',
    parser: 'claude-code',
    envAllow: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'],
  },
  codex: {
    id: 'codex',
    description: 'Codex CLI (codex exec --json)',
    command: ['codex', 'exec', '--json', '-'],
    promptVia: 'stdin',
    parser: 'codex',
    envAllow: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'CODEX_HOME'],
  },
  gemini: {
    id: 'gemini',
    description: 'Gemini CLI (prompt on stdin)',
    command: ['gemini'],
    promptVia: 'stdin',
    parser: 'plain',
    envAllow: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_CLOUD_PROJECT'],
  },
  goose: {
    id: 'goose',
    description: 'Goose (goose run, instructions on stdin)',
    command: ['goose', 'run', '--instructions', '-'],
    promptVia: 'stdin',
    parser: 'plain',
    envAllow: ['GOOSE_PROVIDER', 'GOOSE_MODEL', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY'],
  },
  aider: {
    id: 'aider',
    description: 'Aider (aider --message)',
    command: ['aider', '--yes-always', '--no-pretty', '--no-stream', `--message=${PROMPT_PLACEHOLDER}`],
    promptVia: 'arg',
    parser: 'plain',
    envAllow: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'AIDER_MODEL'],
  },
  generic: {
    id: 'generic',
    description: 'Any program (stdout lines are output)',
    command: undefined,
    promptVia: 'stdin',
    parser: 'plain',
    envAllow: [],
  },
};

/** The argv for one run: `{prompt}` placeholders are replaced, else (for `arg`) the prompt is the last argument. */
export function buildArgs(baseArgs: readonly string[], promptVia: 'stdin' | 'arg', prompt: string): string[] {
  if (promptVia === 'stdin') return [...baseArgs];
  if (!baseArgs.some((a) => a.includes(PROMPT_PLACEHOLDER))) return [...baseArgs, prompt];
  // split/join, not replace(): `$&` and friends in the prompt must stay literal.
  return baseArgs.map((a) => a.split(PROMPT_PLACEHOLDER).join(prompt));
}

/** True when `program` is executable: as given if it has a slash, else in one of the PATH entries (no shell). */
export async function findOnPath(program: string, pathVar: string | undefined = process.env['PATH']): Promise<boolean> {
  const executable = async (p: string): Promise<boolean> =>
    access(p, constants.X_OK).then(
      () => true,
      () => false,
    );
  if (program.includes('/')) return executable(program);
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue; // a relative PATH entry would depend on the cwd
    if (await executable(join(dir, program))) return true;
  }
  return false;
}
