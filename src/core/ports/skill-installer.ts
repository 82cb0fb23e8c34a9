/** The SkillInstaller port: the unprivileged file work behind skill administration. */
import type { SkillDefinition, SkillDetails, SkillSource } from '../domain/skill.ts';

export interface SkillInstallOptions {
  /** Replace an installed skill with the same id (default: refuse with SKILL_EXISTS). */
  readonly replace?: boolean;
  /** The id to install as (default: the SKILL.md `name`, else the folder, repository or archive folder name). */
  readonly id?: string;
}

/** A skill fetched, checked and waiting in the staging area; nothing is visible until `commit`. */
export interface StagedSkill {
  readonly id: string;
  readonly definition: SkillDefinition;
  readonly fileCount: number;
  readonly totalBytes: number;
  /** True when an installed skill with this id exists and will be replaced. */
  readonly replaces: boolean;
  /** Moves the skill into place atomically (SKILL_EXISTS when one appeared meanwhile and `replace` was not asked). */
  commit(): Promise<SkillDetails>;
  /** Removes the staged files. Safe to call after commit or twice. */
  discard(): Promise<void>;
}

/** The unprivileged file work behind skill administration (no caller, no audit). */
export interface SkillInstaller {
  /** Fetches, unpacks and validates into staging; throws a SKILL_* error naming what was refused. */
  stage(source: SkillSource, options: SkillInstallOptions): Promise<StagedSkill>;
  /** The skill and where it lives; undefined when there is no valid skill with this id. */
  find(skillId: string): Promise<SkillDetails | undefined>;
  /** Throws SKILL_NOT_FOUND, or SKILL_READ_ONLY for a skill of a configured folder, unless `skillId` is installed under the data dir. */
  checkRemovable(skillId: string): Promise<void>;
  /** Removes an installed skill (a folder under the data dir, valid or not). */
  remove(skillId: string): Promise<void>;
}
