/** The SkillExecutor port: runs a skill's entrypoint (the skills module implements it). */
import type { JsonObject } from '../domain/json.ts';
import type { SkillDefinition } from '../domain/skill.ts';
import type { ToolResult } from './tool-gate.ts';

/** Runs a skill's entrypoint with a JSON input (the skills module implements it). */
export interface SkillExecutor {
  /** Resolves with the output or a failure; rejects with the signal's reason when aborted. */
  execute(skill: SkillDefinition, input: JsonObject, signal: AbortSignal): Promise<ToolResult>;
}
