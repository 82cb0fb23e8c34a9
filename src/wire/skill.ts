/** Wire shapes of skills: the listing entry and the skill administration routes. */
import { z } from 'zod';
import type { SkillDetails, SkillInfo } from '../core/domain/skill.ts';
import type { SkillInstallResult } from '../core/domain/skill.ts';
import { jsonObject } from './primitives.ts';


/** One entry of GET /api/runtime/skills. */
export const skillView = z.object({
  skill_id: z.string(),
  name: z.string(),
  description: z.string(),
  required_permissions: z.array(z.string()),
  metadata: jsonObject,
});

export function skillToWire(s: SkillInfo): z.infer<typeof skillView> {
  return {
    skill_id: s.skillId,
    name: s.name,
    description: s.description,
    required_permissions: [...s.requiredPermissions],
    metadata: s.metadata,
  };
}

export const skillParams = z.object({ skill_id: z.string().min(1).max(64) });

export const installQuery = z.object({
  replace: z.enum(['true', 'false']).optional(),
  id: z.string().min(1).max(64).optional(),
});

/** The JSON form of POST /api/runtime/skills (archives are sent as the raw body instead). */
export const installJsonBody = z.union([
  z.object({ git_url: z.string().min(1).max(2048), id: z.string().min(1).max(64).optional(), replace: z.boolean().optional() }).strict(),
  z.object({ path: z.string().min(1).max(4096), id: z.string().min(1).max(64).optional(), replace: z.boolean().optional() }).strict(),
]);

export const skillDetailView = z.object({
  skill_id: z.string(),
  name: z.string(),
  description: z.string(),
  required_permissions: z.array(z.string()),
  requires_approval: z.boolean(),
  entrypoint: z.array(z.string()).nullable(),
  input_schema: jsonObject.nullable(),
  instructions: z.string(),
  origin: z.enum(['installed', 'configured']),
  read_only: z.boolean(),
  metadata: jsonObject,
});

export const installView = z.object({
  skill: skillDetailView,
  install: z.object({
    source: z.enum(['archive', 'git', 'path']),
    sha256: z.string().nullable(),
    file_count: z.number(),
    total_bytes: z.number(),
    replaced: z.boolean(),
  }),
});

export const uninstallView = z.object({ skill_id: z.string(), uninstalled: z.literal(true) });

/** A skill's full definition; the server-side folder path is not shown. */
export function skillDetailToWire(s: SkillDetails): z.infer<typeof skillDetailView> {
  return {
    skill_id: s.skillId,
    name: s.name,
    description: s.description,
    required_permissions: [...s.requiredPermissions],
    requires_approval: s.requiresApproval,
    entrypoint: s.entrypoint === null ? null : [...s.entrypoint],
    input_schema: s.inputSchema,
    instructions: s.instructions,
    origin: s.origin,
    read_only: s.origin !== 'installed',
    metadata: s.metadata,
  };
}

export function installToWire(r: SkillInstallResult): z.infer<typeof installView> {
  return {
    skill: skillDetailToWire(r.skill),
    install: { source: r.sourceKind, sha256: r.sha256, file_count: r.fileCount, total_bytes: r.totalBytes, replaced: r.replaced },
  };
}

/** GET /api/runtime/skills. */
export const skillList = z.array(skillView);
export type SkillView = z.infer<typeof skillView>;
export type SkillDetailView = z.infer<typeof skillDetailView>;
export type SkillInstallView = z.infer<typeof installView>;
