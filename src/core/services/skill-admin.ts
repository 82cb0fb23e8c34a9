/** Skill administration as the runtime exposes it: inspect, install, uninstall. */
import type { Caller } from '../domain/caller.ts';
import type { SkillDetails, SkillInstallResult, SkillSource } from '../domain/skill.ts';
import type { SkillInstallOptions } from '../ports/skill-installer.ts';

/** Skill administration: every call is authorized and audited (listing is the runtime's `listSkills`). */
export interface SkillAdmin {
  /** A skill's full definition (`skill:list`). */
  get(caller: Caller, skillId: string): Promise<SkillDetails>;
  /** `skill:install`; a server folder or a file:// repository also needs `admin:system`. */
  install(caller: Caller, source: SkillSource, options: SkillInstallOptions): Promise<SkillInstallResult>;
  /** `skill:install`; only skills under the data dir can be removed. */
  uninstall(caller: Caller, skillId: string): Promise<void>;
}
