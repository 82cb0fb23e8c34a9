/**
 * Skills as the runtime exposes them for administration: the contract of skill
 * install/uninstall (the skills module implements the file work, the security module
 * wraps it with authorization and audit; transports call the wrapped service).
 */
import type { SkillDefinition } from './ports.ts';
import type { Caller } from './types.ts';

/** A skill id is its folder name: lower-case letters, digits, `-`, `_`, `.`; 1-64 characters; starts with a letter or digit. */
export const SKILL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** True when `id` is a safe skill folder name (no `..`, no separators, no leading dot). */
export function isSkillId(id: string): boolean {
  return SKILL_ID_PATTERN.test(id) && !id.includes('..');
}

/** Where a skill to install comes from. */
export type SkillSource =
  /** An uploaded archive (bytes as received; at most the upload limit). */
  | { readonly kind: 'archive'; readonly format: 'tar.gz' | 'zip'; readonly data: Uint8Array }
  /** A git repository (https://, ssh://, git@host:path or file://), cloned shallowly. */
  | { readonly kind: 'git'; readonly url: string }
  /** A folder on the server's own filesystem (absolute path). */
  | { readonly kind: 'path'; readonly path: string };

export type SkillSourceKind = SkillSource['kind'];

export interface SkillInstallOptions {
  /** Replace an installed skill with the same id (default: refuse with SKILL_EXISTS). */
  readonly replace?: boolean;
  /** The id to install as (default: the SKILL.md `name`, else the folder, repository or archive folder name). */
  readonly id?: string;
}

/** Where a skill lives: installed under the data dir (removable) or in a configured, read-only folder. */
export type SkillOrigin = 'installed' | 'configured';

/** A skill with everything an administrator or a runner may look at. */
export interface SkillDetails extends SkillDefinition {
  readonly origin: SkillOrigin;
}

/** What an install did. */
export interface SkillInstallResult {
  readonly skill: SkillDetails;
  readonly sourceKind: SkillSourceKind;
  /** sha256 (hex) of the uploaded archive; null for git and folder sources. */
  readonly sha256: string | null;
  readonly fileCount: number;
  readonly totalBytes: number;
  /** True when an installed skill with the same id was replaced. */
  readonly replaced: boolean;
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

/** Skill administration: every call is authorized and audited (listing is the runtime's `listSkills`). */
export interface SkillAdmin {
  /** A skill's full definition (`skill:list`). */
  get(caller: Caller, skillId: string): Promise<SkillDetails>;
  /** `skill:install`; a server folder or a file:// repository also needs `admin:system`. */
  install(caller: Caller, source: SkillSource, options: SkillInstallOptions): Promise<SkillInstallResult>;
  /** `skill:install`; only skills under the data dir can be removed. */
  uninstall(caller: Caller, skillId: string): Promise<void>;
}
