/**
 * What `switchboard skills list|show|install|uninstall` do once their arguments are
 * parsed. `install` takes a local folder (packed here and uploaded, so it works
 * against a remote server), a .tar.gz/.tgz or .zip file (uploaded), or a git URL
 * (cloned by the server; a file:// URL names a repository on the server).
 */
import { readFile, stat } from 'node:fs/promises';
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { formatTable, truncate } from './format.ts';
import type { RawBody } from './raw-body.ts';
import { isGitUrl, packSkillFolder, skillsClient, type SkillDetailView, type SkillInstallView } from './skills-client.ts';

export interface SkillInstallOptions {
  readonly replace?: boolean;
  readonly id?: string;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A one-line upload progress on a terminal's stderr; nothing when stderr is not a terminal. */
function progress(): { onProgress?: (sent: number, total: number) => void; done: () => void } {
  if (process.stderr.isTTY !== true) return { done: () => undefined };
  let shown = false;
  return {
    onProgress(sent, total) {
      shown = true;
      process.stderr.write(`\ruploading ${mib(sent)} / ${mib(total)} (${Math.floor((sent / total) * 100)}%)`);
    },
    done() {
      if (shown) process.stderr.write('\n');
    },
  };
}

export async function skillsListAction(ctx: CommandContext): Promise<number> {
  const skills = await skillsClient(ctx.client).list();
  if (ctx.json) ctx.out(pretty(skills));
  else if (skills.length === 0) ctx.note('no skills installed');
  else {
    ctx.out(
      formatTable(
        ['SKILL', 'NAME', 'PERMISSIONS', 'APPROVAL', 'ORIGIN', 'DESCRIPTION'],
        skills.map((s) => [
          s.skill_id,
          truncate(s.name, 30),
          s.required_permissions.join(','),
          s.metadata['requires_approval'] === true ? 'required' : '-',
          String(s.metadata['origin'] ?? '-'),
          truncate(s.description, 50),
        ]),
      ),
    );
  }
  return ExitCodes.ok;
}

function describeSkill(s: SkillDetailView): string {
  const lines = [
    `skill:        ${s.skill_id}`,
    `name:         ${s.name}`,
    `description:  ${s.description}`,
    `permissions:  ${s.required_permissions.join(', ')}`,
    `approval:     ${s.requires_approval ? 'required for every call' : 'not required'}`,
    `entrypoint:   ${s.entrypoint === null ? '(none: instructions only)' : s.entrypoint.join(' ')}`,
    `origin:       ${s.origin}${s.read_only ? ' (read-only)' : ''}`,
  ];
  if (s.input_schema !== null) lines.push(`input schema: ${JSON.stringify(s.input_schema)}`);
  lines.push('', s.instructions);
  return lines.join('\n');
}

export async function skillsShowAction(ctx: CommandContext, id: string): Promise<number> {
  const s = await skillsClient(ctx.client).get(id);
  ctx.out(ctx.json ? pretty(s) : describeSkill(s));
  return ExitCodes.ok;
}

async function archiveOf(source: string): Promise<Omit<RawBody, 'onProgress'>> {
  const info = await stat(source).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${source}: no such file or folder (git URLs start with https://, ssh://, git@ or file://)`);
  if (info.isDirectory()) return { data: await packSkillFolder(source), contentType: 'application/gzip' };
  if (/\.zip$/i.test(source)) return { data: await readFile(source), contentType: 'application/zip' };
  if (/\.(tar\.gz|tgz)$/i.test(source)) return { data: await readFile(source), contentType: 'application/gzip' };
  throw new UsageError(`${source}: expected a folder, a .tar.gz/.tgz or a .zip file, or a git URL`);
}

export async function skillsInstallAction(ctx: CommandContext, source: string, opts: SkillInstallOptions): Promise<number> {
  const client = skillsClient(ctx.client);
  const query = { ...(opts.replace === true ? { replace: true } : {}), ...(opts.id !== undefined ? { id: opts.id } : {}) };
  let result: SkillInstallView;
  if (isGitUrl(source)) {
    result = await client.installFromGit(source, query);
  } else {
    const archive = await archiveOf(source);
    const bar = progress();
    try {
      result = await client.uploadArchive({ ...archive, ...(bar.onProgress !== undefined ? { onProgress: bar.onProgress } : {}) }, query);
    } finally {
      bar.done();
    }
  }
  if (ctx.json) ctx.out(pretty(result));
  else {
    const i = result.install;
    ctx.out(`${i.replaced ? 'replaced' : 'installed'} ${result.skill.skill_id} (${i.file_count} files, ${i.total_bytes} bytes${i.sha256 === null ? '' : `, sha256 ${i.sha256.slice(0, 12)}`})`);
  }
  return ExitCodes.ok;
}

export async function skillsUninstallAction(ctx: CommandContext, id: string): Promise<number> {
  const r = await skillsClient(ctx.client).uninstall(id);
  ctx.out(ctx.json ? pretty(r) : `uninstalled ${r.skill_id}`);
  return ExitCodes.ok;
}
