/**
 * SKILL.md: YAML front matter (`name`, `description`; Switchboard adds
 * `required_permissions`, `requires_approval`, `entrypoint`, `input_schema`) and a
 * Markdown body of instructions. Parsing is strict and reports every problem, so an
 * author sees all that is wrong at once; an invalid skill is never half-loaded.
 */
import { parse } from 'yaml';
import { isPermission, type Permission } from '../core/domain/permissions.ts';
import type { Json as JsonValue, JsonObject } from '../core/domain/json.ts';

/** The largest SKILL.md read (default: 256 KiB); a bigger one is an invalid skill. */
export const MAX_SKILL_MD_BYTES = 256 * 1024;

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const MAX_NAME = 100;
const MAX_DESCRIPTION = 1024;
const MAX_ARGV = 64;

/** What SKILL.md says, before it is tied to a folder. */
export interface ParsedSkill {
  readonly name: string;
  readonly description: string;
  readonly requiredPermissions: readonly Permission[];
  readonly requiresApproval: boolean;
  readonly entrypoint: readonly string[] | null;
  readonly inputSchema: JsonObject | null;
  readonly instructions: string;
  /** Optional descriptive fields (`version`, `license`, `metadata`), passed to clients as they are. */
  readonly extra: JsonObject;
}

export type SkillParse = { readonly ok: true; readonly skill: ParsedSkill } | { readonly ok: false; readonly problems: readonly string[] };

function isJson(value: unknown, depth = 0): value is JsonValue {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every((v) => isJson(v, depth + 1));
  }
  return false;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Checks one argv: a bare command name (found on PATH) or a path relative to the skill folder that stays inside it. */
function entrypointProblems(argv: readonly string[]): string[] {
  const problems: string[] = [];
  if (argv.length === 0) return ['entrypoint: must not be empty'];
  if (argv.length > MAX_ARGV) problems.push(`entrypoint: at most ${MAX_ARGV} arguments`);
  if (argv.some((a) => a === '' || a.includes('\0'))) problems.push('entrypoint: arguments must be non-empty and hold no NUL');
  const program = argv[0] ?? '';
  if (program.startsWith('/') || program.startsWith('\\') || /^[a-zA-Z]:/.test(program)) {
    problems.push(`entrypoint: "${program}" must be relative to the skill folder or a command name, not an absolute path`);
  } else if (program.split(/[\\/]/).includes('..')) {
    problems.push(`entrypoint: "${program}" must stay inside the skill folder`);
  }
  return problems;
}

function readEntrypoint(value: unknown, problems: string[]): readonly string[] | null {
  if (value === undefined || value === null) return null;
  let argv: string[];
  if (typeof value === 'string') argv = value.trim().split(/\s+/).filter((a) => a !== '');
  else if (Array.isArray(value) && value.every((a) => typeof a === 'string' || typeof a === 'number')) argv = value.map(String);
  else {
    problems.push('entrypoint: must be a string (split on whitespace, no shell) or a list of strings');
    return null;
  }
  problems.push(...entrypointProblems(argv));
  return argv;
}

function readPermissions(value: unknown, problems: string[]): readonly Permission[] {
  if (value === undefined || value === null) return ['skill:execute'];
  if (!Array.isArray(value) || !value.every((p) => typeof p === 'string')) {
    problems.push('required_permissions: must be a list of permission names, e.g. [skill:execute]');
    return [];
  }
  const unknown = value.filter((p) => !isPermission(p));
  // Fail closed: dropping a permission we do not know would make the skill easier to run than its author meant.
  if (unknown.length > 0) problems.push(`required_permissions: unknown permission ${unknown.map((p) => `"${p}"`).join(', ')}`);
  return [...new Set(value.filter(isPermission))];
}

function readInputSchema(value: unknown, problems: string[]): JsonObject | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value) || !isJson(value)) {
    problems.push('input_schema: must be a JSON Schema object (a YAML mapping of plain values)');
    return null;
  }
  if (value['type'] !== undefined && value['type'] !== 'object') problems.push('input_schema: "type" must be "object" (a tool takes an object)');
  return value as JsonObject;
}

function readText(fm: Record<string, unknown>, key: string, max: number, problems: string[]): string {
  const v = fm[key];
  if (typeof v !== 'string' || v.trim() === '') {
    problems.push(`${key}: required, a non-empty string`);
    return '';
  }
  if (v.length > max) problems.push(`${key}: at most ${max} characters`);
  return v.trim();
}

function readExtra(fm: Record<string, unknown>): JsonObject {
  const extra: Record<string, JsonValue> = {};
  for (const key of ['version', 'license'] as const) {
    const v = fm[key];
    if (typeof v === 'string' || typeof v === 'number') extra[key] = String(v);
  }
  const meta = fm['metadata'];
  if (isPlainObject(meta) && isJson(meta)) extra['extra'] = meta as JsonObject;
  return extra;
}

/** Parses a SKILL.md text; reports every problem found. */
export function parseSkillMarkdown(text: string): SkillParse {
  const m = FRONT_MATTER.exec(text);
  if (!m) return { ok: false, problems: ['SKILL.md must start with YAML front matter between "---" lines'] };
  let meta: unknown;
  try {
    meta = parse(m[1] ?? '', { maxAliasCount: 10 });
  } catch (err) {
    return { ok: false, problems: [`front matter is not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`] };
  }
  if (!isPlainObject(meta)) return { ok: false, problems: ['front matter must be a YAML mapping (key: value lines)'] };
  const problems: string[] = [];
  const name = readText(meta, 'name', MAX_NAME, problems);
  const description = readText(meta, 'description', MAX_DESCRIPTION, problems);
  const requiredPermissions = readPermissions(meta['required_permissions'], problems);
  const approval = meta['requires_approval'];
  if (approval !== undefined && approval !== null && typeof approval !== 'boolean') problems.push('requires_approval: must be true or false');
  const entrypoint = readEntrypoint(meta['entrypoint'], problems);
  const inputSchema = readInputSchema(meta['input_schema'], problems);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    skill: {
      name,
      description,
      requiredPermissions,
      requiresApproval: approval === true,
      entrypoint,
      inputSchema,
      instructions: text.slice(m[0].length).trim(),
      extra: readExtra(meta),
    },
  };
}
