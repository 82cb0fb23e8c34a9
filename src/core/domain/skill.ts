/**
 * Skills: ids, where a skill to install comes from, and a skill as callers and runners see it.
 */
import type { JsonObject } from './json.ts';
import type { Permission } from './permissions.ts';

/** A skill, as shown to callers. */
export interface SkillInfo {
  readonly skillId: string;
  readonly name: string;
  readonly description: string;
  readonly requiredPermissions: readonly Permission[];
  readonly metadata: JsonObject;
}

/** A skill with what running it needs (the folder, its instructions, how to call it). */
export interface SkillDefinition extends SkillInfo {
  /** Absolute path of the skill's folder. */
  readonly dir: string;
  /** The body of SKILL.md (after the front matter): instructions for the model. */
  readonly instructions: string;
  /** A call waits for a person with permission to approve it. */
  readonly requiresApproval: boolean;
  /** argv of the executable, relative to `dir` (no shell); null when the skill is instructions only. */
  readonly entrypoint: readonly string[] | null;
  /** JSON Schema of the entrypoint's input; null: any object. */
  readonly inputSchema: JsonObject | null;
}

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
