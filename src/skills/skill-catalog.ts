/**
 * Discovers skills: folders holding a SKILL.md whose YAML front matter has `name`
 * and `description` (Switchboard adds `required_permissions`). Read-only here;
 * install and execution come with the skill runtime.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isPermission } from '../core/permissions.ts';
import type { Logger, SkillCatalog } from '../core/ports.ts';
import type { JsonObject, SkillInfo } from '../core/types.ts';

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/** Parses one SKILL.md; undefined when it has no usable front matter. */
export function parseSkillMarkdown(skillId: string, text: string): SkillInfo | undefined {
  const m = FRONT_MATTER.exec(text);
  if (!m) return undefined;
  const meta: unknown = parse(m[1] ?? '');
  if (meta === null || typeof meta !== 'object') return undefined;
  const fm = meta as Record<string, unknown>;
  if (typeof fm['name'] !== 'string' || typeof fm['description'] !== 'string') return undefined;
  const perms = Array.isArray(fm['required_permissions']) ? fm['required_permissions'].map(String) : ['skill:execute'];
  return {
    skillId,
    name: fm['name'],
    description: fm['description'],
    requiredPermissions: perms.filter(isPermission),
    metadata: {
      requires_approval: fm['requires_approval'] === true,
      ...(typeof fm['entrypoint'] === 'string' ? { entrypoint: fm['entrypoint'] } : {}),
    } satisfies JsonObject,
  };
}

export function createSkillCatalog(dirs: readonly string[], logger: Logger): SkillCatalog {
  return {
    async list() {
      const found = new Map<string, SkillInfo>();
      for (const dir of dirs) {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          continue; // a skills folder that does not exist yet holds no skills
        }
        for (const entry of entries) {
          if (!entry.isDirectory() || found.has(entry.name)) continue;
          try {
            const text = await readFile(join(dir, entry.name, 'SKILL.md'), 'utf8');
            const skill = parseSkillMarkdown(entry.name, text);
            if (skill) found.set(entry.name, skill);
            else logger.warn({ skill: entry.name }, 'SKILL.md has no name/description front matter; skipped');
          } catch {
            // not a skill folder
          }
        }
      }
      return [...found.values()].sort((a, b) => a.skillId.localeCompare(b.skillId));
    },
    // Filled in with the skill runtime (entrypoint, input schema, instructions).
    get() {
      return Promise.resolve(undefined);
    },
  };
}
