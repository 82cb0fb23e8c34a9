/** The SkillCatalog port: where skills come from. */
import type { SkillDefinition, SkillInfo } from '../domain/skill.ts';

/** Where skills come from: SKILL.md folders in the data dir and configured paths. */
export interface SkillCatalog {
  list(): Promise<readonly SkillInfo[]>;
  get(skillId: string): Promise<SkillDefinition | undefined>;
}
