/**
 * Discovers skills: folders `<root>/<id>/SKILL.md`, first under the data dir
 * (installed, removable) and then in each configured `skills_dirs` folder (read-only).
 * The first folder with an id wins; a later one with the same id is reported and
 * ignored. The catalog is read on every list, so it caches: a list costs one stat per
 * root folder and one per skill folder, and re-parses only a SKILL.md whose mtime,
 * size or inode changed (`invalidate()` forces a full rescan after an install).
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Logger } from '../core/ports/logger.ts';
import type { SkillCatalog } from '../core/ports/skill-catalog.ts';
import { isSkillId, type SkillDetails, type SkillOrigin } from '../core/domain/skill.ts';
import type { JsonObject } from '../core/domain/json.ts';
import { MAX_SKILL_MD_BYTES, parseSkillMarkdown } from './skill-markdown.ts';

export interface SkillCatalogOptions {
  /** `<data dir>/skills`: where installs go. */
  readonly installedDir: string;
  /** Configured `skills_dirs`, in order; never written to. */
  readonly configuredDirs: readonly string[];
}

/** The catalog plus what the installer needs. */
export interface LocalSkillCatalog extends SkillCatalog {
  /** The valid skill with this id and where it lives. */
  find(skillId: string): Promise<SkillDetails | undefined>;
  /** Forget the cache: the next read rescans every root folder. */
  invalidate(): void;
}

/** The outcome of loading one folder as a skill. */
export type SkillLoad = { readonly ok: true; readonly skill: SkillDetails } | { readonly ok: false; readonly problems: readonly string[] };

async function entrypointMissing(dir: string, argv: readonly string[]): Promise<string | undefined> {
  const program = argv[0] ?? '';
  if (!/[\\/]/.test(program)) return undefined; // a command name, looked up on PATH when it runs
  try {
    const real = await realpath(join(dir, program));
    const root = await realpath(dir);
    if (!real.startsWith(root + sep)) return `entrypoint: "${program}" resolves outside the skill folder`;
    if (!(await stat(real)).isFile()) return `entrypoint: "${program}" is not a file`;
    return undefined;
  } catch {
    return `entrypoint: "${program}" does not exist in the skill folder`;
  }
}

/** Reads and checks `<dir>/SKILL.md` as skill `skillId`. */
export async function loadSkillFolder(dir: string, skillId: string, origin: SkillOrigin): Promise<SkillLoad> {
  if (!isSkillId(skillId)) {
    return { ok: false, problems: [`"${skillId}" is not a valid skill id (lower-case letters, digits, ".", "_", "-"; 1-64; starting with a letter or digit)`] };
  }
  const file = join(dir, 'SKILL.md');
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) return { ok: false, problems: ['SKILL.md is not a regular file'] };
    if (info.size > MAX_SKILL_MD_BYTES) return { ok: false, problems: [`SKILL.md is larger than ${MAX_SKILL_MD_BYTES} bytes`] };
    text = await readFile(file, 'utf8');
  } catch {
    return { ok: false, problems: ['SKILL.md is missing'] };
  }
  const parsed = parseSkillMarkdown(text);
  if (!parsed.ok) return parsed;
  const s = parsed.skill;
  const missing = s.entrypoint === null ? undefined : await entrypointMissing(dir, s.entrypoint);
  if (missing !== undefined) return { ok: false, problems: [missing] };
  const metadata: JsonObject = {
    requires_approval: s.requiresApproval,
    entrypoint: s.entrypoint === null ? null : [...s.entrypoint],
    has_input_schema: s.inputSchema !== null,
    origin,
    ...s.extra,
  };
  return {
    ok: true,
    skill: {
      skillId,
      name: s.name,
      description: s.description,
      requiredPermissions: s.requiredPermissions,
      metadata,
      dir,
      instructions: s.instructions,
      requiresApproval: s.requiresApproval,
      entrypoint: s.entrypoint,
      inputSchema: s.inputSchema,
      origin,
    },
  };
}

interface Slot {
  readonly id: string;
  readonly dir: string;
  readonly origin: SkillOrigin;
  stamp: string;
  load: SkillLoad | undefined;
}

async function stampOf(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
}

export function createSkillCatalog(options: SkillCatalogOptions, logger: Logger): LocalSkillCatalog {
  const roots: readonly { dir: string; origin: SkillOrigin }[] = [
    { dir: options.installedDir, origin: 'installed' },
    ...options.configuredDirs.map((dir) => ({ dir, origin: 'configured' as const })),
  ];
  let rootStamps: string[] = [];
  let slots = new Map<string, Slot>();
  // Bumped by invalidate(); a refresh started for an older generation does not satisfy a newer read.
  let generation = 0;
  let scannedGeneration = -1;
  let refreshing: { readonly generation: number; readonly done: Promise<void> } | undefined;

  async function rescan(): Promise<Map<string, Slot>> {
    const next = new Map<string, Slot>();
    for (const root of roots) {
      let entries;
      try {
        entries = await readdir(root.dir, { withFileTypes: true });
      } catch {
        continue; // a skills folder that does not exist yet holds no skills
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.') || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
        const dir = join(root.dir, entry.name);
        const earlier = next.get(entry.name);
        if (earlier !== undefined) {
          if ((await stampOf(join(dir, 'SKILL.md'))) !== 'missing') logger.warn({ skill: entry.name, dir, used: earlier.dir }, 'skill id already provided by an earlier folder; ignored');
          continue;
        }
        const old = slots.get(entry.name);
        next.set(entry.name, old !== undefined && old.dir === dir ? old : { id: entry.name, dir, origin: root.origin, stamp: '', load: undefined });
      }
    }
    return next;
  }

  async function refresh(gen: number): Promise<void> {
    const stamps = await Promise.all(roots.map((r) => stampOf(r.dir)));
    if (scannedGeneration !== gen || stamps.some((s, i) => s !== rootStamps[i])) {
      slots = await rescan();
      rootStamps = stamps;
      scannedGeneration = gen;
    }
    await Promise.all(
      [...slots.values()].map(async (slot) => {
        const stamp = await stampOf(join(slot.dir, 'SKILL.md'));
        if (stamp === slot.stamp && slot.load !== undefined) return;
        slot.stamp = stamp;
        slot.load = stamp === 'missing' ? { ok: false, problems: ['SKILL.md is missing'] } : await loadSkillFolder(slot.dir, slot.id, slot.origin);
        // Logged once per change of the file, not on every list.
        if (!slot.load.ok && stamp !== 'missing') logger.warn({ skill: slot.id, dir: slot.dir, problems: slot.load.problems }, 'invalid skill skipped');
      }),
    );
  }

  /** The slots, refreshed once for all concurrent readers (refreshes never overlap). */
  async function current(): Promise<Map<string, Slot>> {
    for (;;) {
      if (refreshing === undefined || refreshing.generation !== generation) {
        const before = refreshing?.done ?? Promise.resolve();
        const gen = generation;
        const done: Promise<void> = before
          .catch(() => undefined)
          .then(() => refresh(gen))
          .finally(() => {
            if (refreshing?.done === done) refreshing = undefined;
          });
        refreshing = { generation: gen, done };
      }
      const mine = refreshing;
      await mine.done;
      if (mine.generation === generation) return slots;
    }
  }

  const valid = (slot: Slot): SkillDetails | undefined => (slot.load?.ok === true ? slot.load.skill : undefined);

  async function find(skillId: string): Promise<SkillDetails | undefined> {
    if (!isSkillId(skillId)) return undefined;
    const slot = (await current()).get(skillId);
    return slot === undefined ? undefined : valid(slot);
  }

  return {
    async list() {
      const all = [...(await current()).values()].map(valid).filter((s): s is SkillDetails => s !== undefined);
      return all.sort((a, b) => a.skillId.localeCompare(b.skillId));
    },
    get: find,
    find,
    invalidate() {
      generation += 1;
    },
  };
}
