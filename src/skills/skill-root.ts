/** Where a fetched skill's SKILL.md is, and which id it gets. */
import { lstat, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SwitchboardError } from '../core/domain/errors.ts';
import { isSkillId } from '../core/domain/skill.ts';
import { MAX_SKILL_MD_BYTES, parseSkillMarkdown, type ParsedSkill } from './skill-markdown.ts';

/** Files some archivers add that are never part of a skill. */
const JUNK = new Set(['__MACOSX', '.DS_Store']);

async function isFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The skill folder inside `dir`: `dir` itself when it holds SKILL.md, else its one
 * top-level folder (`folder` is that folder's name). Archiver junk at the top is removed.
 */
export async function findSkillRoot(dir: string): Promise<{ readonly dir: string; readonly folder: string | undefined }> {
  const names = await readdir(dir);
  for (const junk of names.filter((n) => JUNK.has(n))) await rm(join(dir, junk), { recursive: true, force: true });
  const rest = names.filter((n) => !JUNK.has(n));
  if (await isFile(join(dir, 'SKILL.md'))) return { dir, folder: undefined };
  const only = rest.length === 1 ? rest[0] : undefined;
  if (only !== undefined && (await lstat(join(dir, only))).isDirectory() && (await isFile(join(dir, only, 'SKILL.md')))) {
    return { dir: join(dir, only), folder: only };
  }
  throw new SwitchboardError('SKILL_INVALID', 'No SKILL.md found: put it at the top of the archive or folder, or in its single top-level folder', {
    problems: ['SKILL.md is missing'],
  });
}

/** The front matter of `<dir>/SKILL.md`, or SKILL_INVALID listing every problem. */
export async function readSkillFile(dir: string): Promise<ParsedSkill> {
  const file = join(dir, 'SKILL.md');
  if ((await lstat(file)).size > MAX_SKILL_MD_BYTES) {
    throw new SwitchboardError('SKILL_INVALID', `SKILL.md is larger than ${MAX_SKILL_MD_BYTES} bytes`, { problems: ['SKILL.md is too large'] });
  }
  const parsed = parseSkillMarkdown(await readFile(file, 'utf8'));
  if (!parsed.ok) throw invalidSkill(parsed.problems);
  return parsed.skill;
}

/** SKILL_INVALID with every problem in the message and in `details.problems`. */
export function invalidSkill(problems: readonly string[]): SwitchboardError {
  return new SwitchboardError('SKILL_INVALID', `SKILL.md is not valid: ${problems.join('; ')}`, { problems: [...problems] });
}

/**
 * The id to install as: the one asked for, else the SKILL.md `name` when it is a valid
 * id, else the archive's top-level folder, the repository or the folder name.
 */
export function chooseSkillId(requested: string | undefined, name: string, ...fallbacks: (string | undefined)[]): string {
  if (requested !== undefined) {
    if (!isSkillId(requested)) {
      throw new SwitchboardError('VALIDATION_FAILED', 'id: lower-case letters, digits, ".", "_" or "-" (1-64), starting with a letter or digit');
    }
    return requested;
  }
  for (const candidate of [name, ...fallbacks]) if (candidate !== undefined && isSkillId(candidate)) return candidate;
  throw new SwitchboardError(
    'SKILL_INVALID',
    `Cannot derive a skill id from the name "${name}"; pass an id (lower-case letters, digits, ".", "_", "-")`,
    { problems: ['no valid skill id'] },
  );
}
