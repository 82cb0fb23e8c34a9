/**
 * Installs and removes skills under `<data dir>/skills`. Everything is fetched into
 * a private folder under `<data dir>/skills/.staging` (same filesystem, so the final
 * step is one atomic rename), unpacked with limits, checked (paths, entry types,
 * links, SKILL.md), and only then moved to `<data dir>/skills/<id>`. Skills of
 * configured folders are never written. Authorization and audit are the caller's job
 * (see security/skill-admin.ts).
 */
import { lstat, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { SwitchboardError } from '../core/domain/errors.ts';
import type { Logger } from '../core/ports/logger.ts';
import { isSkillId, type SkillSource } from '../core/domain/skill.ts';
import type { SkillInstaller, SkillInstallOptions, StagedSkill } from '../core/ports/skill-installer.ts';
import type { LocalSkillCatalog } from './skill-catalog.ts';
import { loadSkillFolder } from './skill-catalog.ts';
import { gitClone, repoBaseName } from './git-fetch.ts';
import { chooseSkillId, findSkillRoot, invalidSkill, readSkillFile } from './skill-root.ts';
import { extractTarGz } from './tar-extract.ts';
import { checkSkillTree, copySkillTree } from './tree-copy.ts';
import type { UnpackBudget, UnpackLimits } from './unpack-budget.ts';
import { extractZip } from './zip-extract.ts';

export interface SkillInstallerOptions extends UnpackLimits {
  /** `<data dir>/skills`. */
  readonly skillsDir: string;
  /** Longest a git clone may take (default: 120 s). */
  readonly gitTimeoutMs: number;
}

/** Staging folders older than this are leftovers of a crash and are removed (1 hour). */
const STALE_MS = 60 * 60 * 1000;

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export function createSkillInstaller(catalog: LocalSkillCatalog, options: SkillInstallerOptions, logger: Logger): SkillInstaller {
  const staging = join(options.skillsDir, '.staging');
  const limits: UnpackLimits = { maxEntries: options.maxEntries, maxBytes: options.maxBytes };
  // Installs and removals of this process run one at a time (the rename steps must not interleave).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  async function sweep(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(staging).catch(() => [] as string[])) {
      const path = join(staging, name);
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && now - info.mtimeMs > STALE_MS) await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Fetches the source into `content` (created here); returns the skill folder and name hints. */
  async function fetchInto(source: SkillSource, content: string): Promise<{ root: string; budget: UnpackBudget; hints: (string | undefined)[] }> {
    if (source.kind === 'archive') {
      await mkdir(content, { mode: 0o700 });
      const budget = source.format === 'zip' ? await extractZip(source.data, content, limits) : await extractTarGz(source.data, content, limits);
      const found = await findSkillRoot(content);
      return { root: found.dir, budget, hints: [found.folder] };
    }
    if (source.kind === 'git') {
      await gitClone(source.url, content, options.gitTimeoutMs);
      await rm(join(content, '.git'), { recursive: true, force: true });
      const found = await findSkillRoot(content);
      // Links are checked against the skill folder itself, not the whole repository.
      const budget = await checkSkillTree(found.dir, limits);
      return { root: found.dir, budget, hints: [found.folder, repoBaseName(source.url)] };
    }
    if (!isAbsolute(source.path)) throw new SwitchboardError('VALIDATION_FAILED', 'path: must be an absolute path on the server');
    const info = await stat(source.path).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) throw new SwitchboardError('SKILL_SOURCE_FAILED', `path: ${source.path} is not a folder on the server`, { source: 'path' });
    const found = await findSkillRoot(source.path);
    await mkdir(content, { mode: 0o700 });
    const budget = await copySkillTree(found.dir, content, limits);
    return { root: content, budget, hints: [found.folder ?? basename(source.path)] };
  }

  async function checkTarget(id: string, replace: boolean): Promise<boolean> {
    const existing = await catalog.find(id);
    if (existing !== undefined && existing.origin === 'configured') {
      throw new SwitchboardError('SKILL_READ_ONLY', `Skill ${id} comes from a configured folder; install under another id`, { skill_id: id });
    }
    const present = await exists(join(options.skillsDir, id));
    if (present && !replace) {
      throw new SwitchboardError('SKILL_EXISTS', `Skill ${id} is already installed; pass replace=true to replace it`, { skill_id: id });
    }
    return present;
  }

  async function stage(source: SkillSource, opts: SkillInstallOptions): Promise<StagedSkill> {
    await mkdir(staging, { recursive: true, mode: 0o700 });
    await sweep();
    const tmp = await mkdtemp(join(staging, 'in-'));
    const discard = (): Promise<void> => rm(tmp, { recursive: true, force: true });
    try {
      const { root, budget, hints } = await fetchInto(source, join(tmp, 'content'));
      const parsed = await readSkillFile(root);
      const id = chooseSkillId(opts.id, parsed.name, ...hints);
      const loaded = await loadSkillFolder(root, id, 'installed');
      if (!loaded.ok) throw invalidSkill(loaded.problems);
      const replace = opts.replace === true;
      const replaces = await checkTarget(id, replace);
      const finalDir = join(options.skillsDir, id);
      return {
        id,
        definition: { ...loaded.skill, dir: finalDir },
        fileCount: budget.files,
        totalBytes: budget.bytes,
        replaces,
        discard,
        commit: () =>
          exclusive(async () => {
            const present = await checkTarget(id, replace);
            const old = join(tmp, 'old');
            if (present) await rename(finalDir, old);
            try {
              await rename(root, finalDir);
            } catch (err) {
              if (present) await rename(old, finalDir).catch(() => undefined);
              throw err;
            } finally {
              catalog.invalidate();
            }
            await discard();
            const installed = await catalog.find(id);
            if (installed === undefined) throw new SwitchboardError('INTERNAL', `Skill ${id} did not load after install`);
            logger.info({ skill: id, source: source.kind, files: budget.files, replaced: present }, 'skill installed');
            return installed;
          }),
      };
    } catch (err) {
      await discard();
      throw err;
    }
  }

  async function checkRemovable(skillId: string): Promise<void> {
    if (isSkillId(skillId) && (await exists(join(options.skillsDir, skillId)))) return;
    if ((await catalog.find(skillId)) !== undefined) {
      throw new SwitchboardError('SKILL_READ_ONLY', `Skill ${skillId} comes from a configured folder and cannot be uninstalled here`, { skill_id: skillId });
    }
    throw new SwitchboardError('SKILL_NOT_FOUND', undefined, { skill_id: skillId });
  }

  return {
    stage,
    find: (skillId) => catalog.find(skillId),
    checkRemovable,
    remove: (skillId) =>
      exclusive(async () => {
        await checkRemovable(skillId);
        await mkdir(staging, { recursive: true, mode: 0o700 });
        const tmp = await mkdtemp(join(staging, 'rm-'));
        // Out of sight in one step, then deleted: a reader never sees half a skill.
        await rename(join(options.skillsDir, skillId), join(tmp, skillId));
        catalog.invalidate();
        await rm(tmp, { recursive: true, force: true });
        logger.info({ skill: skillId }, 'skill uninstalled');
      }),
  };
}
