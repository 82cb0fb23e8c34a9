/**
 * Calls of /api/runtime/skills over the CLI's ApiClient (answers parsed with the wire
 * schemas), and packing a local skill folder into a .tar.gz so `skills install <dir>`
 * works against a remote server.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { create } from 'tar';
import type { ApiClient } from './client.ts';
import { UsageError } from './cli-errors.ts';
import type { RawBody } from './raw-body.ts';
import { installView, skillDetailView, skillList, uninstallView } from '../wire/skill.ts';

export type { SkillDetailView, SkillInstallView, SkillView } from '../wire/skill.ts';

export interface InstallQuery {
  readonly replace?: boolean;
  readonly id?: string;
}

const skill = (id: string): string => `/api/runtime/skills/${encodeURIComponent(id)}`;

function withQuery(query: InstallQuery): string {
  const qs = new URLSearchParams();
  if (query.replace === true) qs.set('replace', 'true');
  if (query.id !== undefined) qs.set('id', query.id);
  const q = qs.toString();
  return `/api/runtime/skills${q === '' ? '' : `?${q}`}`;
}

/** The skill calls the `skills` commands make. */
export function skillsClient(client: ApiClient) {
  return {
    list: () => client.call('GET', '/api/runtime/skills', skillList),
    get: (id: string) => client.call('GET', skill(id), skillDetailView),
    uninstall: (id: string) => client.call('DELETE', skill(id), uninstallView),
    uploadArchive: (body: RawBody, query: InstallQuery) => client.upload(withQuery(query), installView, body),
    // Sent as a raw JSON body through upload() for its longer time limit: the server clones before it answers.
    installFromGit: (url: string, query: InstallQuery) =>
      client.upload(withQuery(query), installView, { data: Buffer.from(JSON.stringify({ git_url: url })), contentType: 'application/json' }),
  };
}

/** True for what the server takes as a git URL. */
export function isGitUrl(source: string): boolean {
  return /^(https:\/\/|ssh:\/\/|file:\/\/)/.test(source) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(source);
}

/** Refuses links that leave the folder (they would upload files from elsewhere); `.git` is not packed. */
async function checkLinks(root: string, dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (dir === root && name === '.git') continue;
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      if (target === undefined || (target !== root && !target.startsWith(root + sep))) {
        throw new UsageError(`${path} is a link to outside the skill folder (or to nothing); remove it or copy the file in`);
      }
      // A link to a folder could loop when packed with its targets.
      if ((await lstat(target)).isDirectory()) throw new UsageError(`${path} is a link to a folder; only links to files can be packed`);
    } else if (info.isDirectory()) {
      await checkLinks(root, path);
    }
  }
}

/** Packs a local skill folder (with SKILL.md at its top) as a .tar.gz with one top-level folder. */
export async function packSkillFolder(folder: string): Promise<Buffer> {
  const dir = await realpath(resolve(folder));
  const top = await lstat(join(dir, 'SKILL.md')).catch(() => undefined);
  if (top === undefined || !top.isFile()) throw new UsageError(`${folder} has no SKILL.md at its top`);
  await checkLinks(dir, dir);
  const name = basename(dir);
  // Links inside the folder are stored as the files they point to: the server refuses links in archives.
  const pack = create({ gzip: true, cwd: dirname(dir), portable: true, follow: true, filter: (path) => path !== `${name}/.git` && !path.startsWith(`${name}/.git/`) }, [name]);
  return pack.concat();
}
