/**
 * Skill folders that are not archives (a folder on the server, a git clone): walked
 * without following links, with the same entry and byte limits as archives. A link is
 * kept only when it resolves inside the skill folder; it is rewritten as a relative
 * link so it still points inside once the folder moves. Devices, FIFOs, sockets and
 * dangling links are refused. `.git` at the top is skipped.
 */
import { chmod, copyFile, lstat, mkdir, readdir, readlink, realpath, symlink, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { UnpackBudget, fileMode, refuse, type UnpackLimits } from './unpack-budget.ts';

interface Walk {
  readonly realRoot: string;
  readonly budget: UnpackBudget;
  /** Where to copy to; undefined: check (and fix links) in place. */
  readonly target: string | undefined;
}

/** The link's target as a path relative to the link's folder, if it resolves inside the root. */
async function confinedLink(w: Walk, path: string, rel: string): Promise<string> {
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch {
    throw refuse(rel, `the link points to nothing ("${await readlink(path)}")`);
  }
  if (resolved !== w.realRoot && !resolved.startsWith(w.realRoot + sep)) {
    throw refuse(rel, 'the link points outside the skill folder');
  }
  const inside = relative(w.realRoot, resolved);
  const linkDir = dirname(rel);
  return relative(linkDir === '.' ? '' : linkDir, inside) || '.';
}

async function walk(w: Walk, dir: string, rel: string): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    if (rel === '' && name === '.git') continue;
    const path = join(dir, name);
    const entryRel = rel === '' ? name : `${rel}/${name}`;
    w.budget.entry(entryRel);
    const info = await lstat(path);
    const out = w.target === undefined ? undefined : join(w.target, entryRel);
    if (info.isSymbolicLink()) {
      const target = await confinedLink(w, path, entryRel);
      if (out !== undefined) await symlink(target, out);
      else if ((await readlink(path)) !== target) {
        await unlink(path);
        await symlink(target, path);
      }
    } else if (info.isDirectory()) {
      if (out !== undefined) await mkdir(out, { mode: 0o755 });
      await walk(w, path, entryRel);
    } else if (info.isFile()) {
      w.budget.files += 1;
      w.budget.data(entryRel, info.size);
      if (out !== undefined) {
        await copyFile(path, out);
        // copyFile keeps the source mode; reduce it to "executable or not".
        await chmod(out, fileMode(info.mode));
      }
    } else {
      throw refuse(entryRel, 'only files, folders and links inside the skill are allowed (device, FIFO or socket)');
    }
  }
}

/** Copies the folder `source` into the empty folder `target`. */
export async function copySkillTree(source: string, target: string, limits: UnpackLimits): Promise<UnpackBudget> {
  const budget = new UnpackBudget(limits);
  await walk({ realRoot: await realpath(source), budget, target }, source, '');
  return budget;
}

/** Checks a folder in place (a fresh clone): limits, entry types, confined links. */
export async function checkSkillTree(root: string, limits: UnpackLimits): Promise<UnpackBudget> {
  const budget = new UnpackBudget(limits);
  await walk({ realRoot: await realpath(root), budget, target: undefined }, root, '');
  return budget;
}
