/**
 * Skill administration: authorize → act → audit around the skill installer.
 * Installing needs `skill:install`; installing from the server's own filesystem (a
 * folder path or a file:// repository) also needs `admin:system`, because it reads
 * whatever the server process can read. The audit record is written before the skill
 * is moved into place, so a skill is never installed without its record; a refused
 * install is recorded with status `failure` and the reason. Secrets in git URLs
 * (user:password@) never reach the record.
 */
import { createHash } from 'node:crypto';
import { SwitchboardError, isSwitchboardError } from '../core/domain/errors.ts';
import type { Permission } from '../core/domain/permissions.ts';
import type { Guard } from '../core/ports/guard.ts';
import type { SkillSource } from '../core/domain/skill.ts';
import type { SkillInstaller } from '../core/ports/skill-installer.ts';
import type { SkillAdmin } from '../core/services/skill-admin.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Caller } from '../core/domain/caller.ts';
import type { JsonObject } from '../core/domain/json.ts';

export interface SkillAdminDeps {
  readonly installer: SkillInstaller;
  readonly guard: Guard;
}

/** user:password@ removed from a URL. */
function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^/@\s]*@/i, '$1');
}

/** What the audit record says about the source (never the archive bytes, never URL credentials). */
function sourceDetails(source: SkillSource): JsonObject {
  switch (source.kind) {
    case 'archive':
      return { source: 'archive', format: source.format, sha256: createHash('sha256').update(source.data).digest('hex'), archive_bytes: source.data.byteLength };
    case 'git':
      return { source: 'git', url: redact(source.url) };
    case 'path':
      return { source: 'path', path: source.path };
    default: {
      const never: never = source;
      return never;
    }
  }
}

const readsServerFiles = (source: SkillSource): boolean => source.kind === 'path' || (source.kind === 'git' && /^file:/i.test(source.url));

export function createSkillAdmin(deps: SkillAdminDeps): SkillAdmin {
  const { installer, guard } = deps;
  const need = (caller: Caller, permission: Permission, skillId: string | null, why?: string): Promise<void> =>
    guard.ensure(caller, permission, { type: 'skill', id: skillId }, why === undefined ? {} : { why });

  const record = (caller: Caller, r: Pick<AuditInput, 'eventType' | 'resourceId' | 'action' | 'status' | 'details'>): AuditInput => ({
    ...r,
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: 'skill',
  });

  /** Records a refused install or uninstall (best effort: the original error is what the caller gets). */
  async function recordFailure(caller: Caller, action: string, skillId: string | null, details: JsonObject, err: unknown): Promise<void> {
    if (!isSwitchboardError(err) || err.code === 'AUTH_FORBIDDEN') return;
    const eventType = action === 'skill.uninstall' ? 'resource.deleted' : 'resource.modified';
    await guard
      .record(record(caller, { eventType, resourceId: skillId, action, status: 'failure', details: { ...details, error: err.code, reason: err.message } }))
      .catch(() => undefined);
  }

  return {
    async get(caller, skillId) {
      await need(caller, 'skill:list', skillId);
      const skill = await installer.find(skillId);
      if (skill === undefined) throw new SwitchboardError('SKILL_NOT_FOUND', undefined, { skill_id: skillId });
      return skill;
    },

    async install(caller, source, options) {
      const requested = options.id ?? null;
      await need(caller, 'skill:install', requested);
      if (readsServerFiles(source)) {
        await need(caller, 'admin:system', requested, "installing from the server's filesystem (a path or file:// URL)");
      }
      const details = sourceDetails(source);
      let staged;
      try {
        staged = await installer.stage(source, options);
      } catch (err) {
        await recordFailure(caller, 'skill.install', requested, details, err);
        throw err;
      }
      const result = {
        ...details,
        name: staged.definition.name,
        file_count: staged.fileCount,
        total_bytes: staged.totalBytes,
        replaced: staged.replaces,
        required_permissions: [...staged.definition.requiredPermissions],
      };
      try {
        // Only now is an unnamed skill's id known: policies on `skill:<id>` apply to it as to a named install.
        if (requested === null) await need(caller, 'skill:install', staged.id);
        // The record first: if it cannot be written, nothing is installed.
        await guard.record(record(caller, { eventType: 'resource.modified', resourceId: staged.id, action: 'skill.install', status: 'success', details: result }));
        const skill = await staged.commit();
        return {
          skill,
          sourceKind: source.kind,
          sha256: typeof details['sha256'] === 'string' ? details['sha256'] : null,
          fileCount: staged.fileCount,
          totalBytes: staged.totalBytes,
          replaced: staged.replaces,
        };
      } catch (err) {
        await recordFailure(caller, 'skill.install', staged.id, result, err);
        throw err;
      } finally {
        await staged.discard();
      }
    },

    async uninstall(caller, skillId) {
      await need(caller, 'skill:install', skillId);
      try {
        await installer.checkRemovable(skillId);
      } catch (err) {
        await recordFailure(caller, 'skill.uninstall', skillId, {}, err);
        throw err;
      }
      const skill = await installer.find(skillId);
      await guard.record(
        record(caller, { eventType: 'resource.deleted', resourceId: skillId, action: 'skill.uninstall', status: 'success', details: { name: skill?.name ?? null } }),
      );
      await installer.remove(skillId);
    },
  };
}
