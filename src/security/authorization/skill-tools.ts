/**
 * Skills as tools of a task run. Only the agent's allowed skills are offered. Every
 * call is authorized as the task's owner as they are now (looked up again, so a
 * role change applies at once) with the task's session and device: `skill:execute`
 * and the skill's required permissions, on resource `skill:<id>`. A refusal is
 * audited `permission.denied` and handed to the model as a tool error, never thrown.
 * A skill marked `requires_approval` waits for a person (the task is `waiting`).
 * Every call is audited as `resource.accessed` (keys and sizes of the input, never
 * its values).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { Permission } from '../../core/domain/permissions.ts';
import type { SkillDefinition } from '../../core/domain/skill.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { CredentialStore } from '../../core/ports/credential-store.ts';
import type { DeviceStore } from '../../core/ports/device-store.ts';
import type { Ids } from '../../core/ports/ids.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { SkillCatalog } from '../../core/ports/skill-catalog.ts';
import type { SkillExecutor } from '../../core/ports/skill-executor.ts';
import type { TaskTools, ToolGate, ToolResult, ToolRun, ToolSpec } from '../../core/ports/tool-gate.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { JsonObject } from '../../core/domain/json.ts';
import type { Task } from '../../core/domain/task.ts';

export interface SkillToolDeps {
  readonly skills: SkillCatalog;
  readonly executor: SkillExecutor;
  /** Decides through the same authorizer as the secure runtime; records into the engine's audit chain. A refused call becomes the model's tool error, not a thrown one. */
  readonly guard: Pick<Guard, 'decide' | 'record'>;
  readonly credentials: Pick<CredentialStore, 'getUser' | 'getSession'>;
  /** The session's device and its trust now, so trusted-device policies apply to skill calls too. */
  readonly devices: Pick<DeviceStore, 'findDevice'>;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly logger: Logger;
}

/** The input schema of a skill that declares none: any object. */
const ANY_OBJECT: JsonObject = { type: 'object', additionalProperties: true };
/** Characters of the input shown to an approver. */
const APPROVAL_PREVIEW = 300;
const SCHEMA_CACHE_MAX = 500;

/** A provider-safe tool name for a skill id (OpenAI and Anthropic allow letters, digits, `_` and `-`). */
export function toolNameFor(skillId: string): string {
  return skillId.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'skill';
}

/** Safe facts about an input: its keys and its size, never its values. */
function inputFacts(input: JsonObject): JsonObject {
  return { input_keys: Object.keys(input).slice(0, 50), input_bytes: Buffer.byteLength(JSON.stringify(input)) };
}

export function createSkillToolGate(deps: SkillToolDeps): ToolGate {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validators = new Map<string, ValidateFunction | Error>();

  function validatorFor(schema: JsonObject): ValidateFunction | Error {
    const key = JSON.stringify(schema);
    let v = validators.get(key);
    if (v === undefined) {
      try {
        v = ajv.compile(schema);
      } catch (err) {
        v = err instanceof Error ? err : new Error(String(err));
      }
      if (validators.size >= SCHEMA_CACHE_MAX) validators.clear();
      validators.set(key, v);
    }
    return v;
  }

  /** The owner as they are now, acting through the task's session and its device. */
  async function ownerCaller(task: Task): Promise<Caller | undefined> {
    const user = await deps.credentials.getUser(task.ownerId);
    if (user === undefined || user.disabled) return undefined;
    const session = task.sessionId === null ? undefined : await deps.credentials.getSession(task.sessionId);
    const device = session?.deviceId == null ? undefined : await deps.devices.findDevice(session.deviceId);
    return {
      principal: { id: user.id, username: user.username, kind: user.kind, roles: user.roles, grants: user.grants },
      ...(task.sessionId !== null ? { sessionId: task.sessionId } : {}),
      ...(session?.deviceId != null ? { deviceId: session.deviceId } : {}),
      ...(device !== undefined ? { deviceTrust: device.trust } : {}),
      via: 'system',
    };
  }

  return {
    forTask(run: ToolRun): TaskTools {
      const { task } = run;
      let offered: Promise<Map<string, { spec: ToolSpec; skill: SkillDefinition }>> | undefined;

      // Resolved once per run: the model sees one consistent set of tools.
      const offer = (): Promise<Map<string, { spec: ToolSpec; skill: SkillDefinition }>> =>
        (offered ??= (async () => {
          const out = new Map<string, { spec: ToolSpec; skill: SkillDefinition }>();
          if (run.allowedSkills.length === 0) return out;
          const ids = run.allowedSkills.includes('*') ? (await deps.skills.list()).map((s) => s.skillId) : [...new Set(run.allowedSkills)];
          for (const id of ids) {
            const skill = await deps.skills.get(id);
            if (skill === undefined) continue;
            let name = toolNameFor(id);
            for (let n = 2; out.has(name); n++) name = `${toolNameFor(id).slice(0, 60)}_${n}`;
            const spec: ToolSpec = {
              name,
              skillId: id,
              description: skill.description,
              instructions: skill.instructions,
              inputSchema: skill.inputSchema ?? ANY_OBJECT,
            };
            out.set(name, { spec, skill });
          }
          return out;
        })());

      const audit = (caller: Caller | undefined, skillId: string | null, status: 'success' | 'failure', details: JsonObject): Promise<void> =>
        deps.guard.record({
          eventType: 'resource.accessed',
          userId: caller?.principal.id ?? task.ownerId,
          sessionId: task.sessionId,
          resourceType: 'skill',
          resourceId: skillId,
          action: 'skill.execute',
          status,
          details: { task_id: task.id, ...details },
        });

      const refuse = async (caller: Caller | undefined, skillId: string, tool: string, permission: Permission, reason: string, rule: string): Promise<ToolResult> => {
        await deps.guard.record({
          eventType: 'permission.denied',
          userId: caller?.principal.id ?? task.ownerId,
          sessionId: task.sessionId,
          resourceType: 'skill',
          resourceId: skillId,
          action: 'skill.execute',
          status: 'denied',
          details: { permission, reason, rule, task_id: task.id, tool },
        });
        return { ok: false, error: `permission denied: ${reason}` };
      };

      /** The caller when allowed; else the refusal (already audited). */
      const authorize = async (skill: SkillDefinition, tool: string): Promise<{ caller: Caller } | { refused: ToolResult }> => {
        const caller = await ownerCaller(task);
        if (caller === undefined) {
          return { refused: await refuse(undefined, skill.skillId, tool, 'skill:execute', 'the task owner is disabled or no longer exists', 'owner') };
        }
        const needed = new Set<Permission>(['skill:execute', ...skill.requiredPermissions]);
        for (const permission of needed) {
          const decision = await deps.guard.decide(caller, permission, { type: 'skill', id: skill.skillId });
          if (!decision.allowed) return { refused: await refuse(caller, skill.skillId, tool, permission, decision.reason, decision.rule) };
        }
        return { caller };
      };

      return {
        async list() {
          return [...(await offer()).values()].map((o) => o.spec);
        },

        async call(name: string, input: JsonObject): Promise<ToolResult> {
          run.signal.throwIfAborted();
          const found = (await offer()).get(name);
          if (found === undefined) {
            await audit(undefined, null, 'failure', { tool: name.slice(0, 100), failure: 'not_offered' });
            return { ok: false, error: `no tool named "${name.slice(0, 100)}" is offered to this agent` };
          }
          const { skill } = found;
          let allowed = await authorize(skill, name);
          if ('refused' in allowed) return allowed.refused;

          const validate = validatorFor(found.spec.inputSchema);
          const invalid = validate instanceof Error ? `the skill's input schema is not usable: ${validate.message}` : validate(input) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'input' });
          if (invalid !== undefined) {
            await audit(allowed.caller, skill.skillId, 'failure', { tool: name, failure: 'invalid_input', ...inputFacts(input) });
            return { ok: false, error: `invalid input: ${invalid}` };
          }

          if (skill.requiresApproval) {
            const approvalId = deps.ids.uuid();
            const preview = JSON.stringify(input);
            const decision = await run.requestApproval({
              approvalId,
              skillId: skill.skillId,
              question: `Approve running skill "${skill.skillId}"? (approval ${approvalId})`,
              summary: {
                tool: name,
                ...inputFacts(input),
                preview: preview.length > APPROVAL_PREVIEW ? `${preview.slice(0, APPROVAL_PREVIEW)}…` : preview,
              },
            });
            // The decision is audited by the approval itself (permission.granted / permission.denied).
            if (!decision.approved) return { ok: false, error: `denied by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}` };
            allowed = await authorize(skill, name); // the owner's permissions may have changed while waiting
            if ('refused' in allowed) return allowed.refused;
          }

          const started = deps.clock.now();
          let result: ToolResult;
          try {
            result = await deps.executor.execute(skill, input, run.signal);
          } catch (err) {
            if (run.signal.aborted) {
              await audit(allowed.caller, skill.skillId, 'failure', { tool: name, failure: 'aborted', duration_ms: deps.clock.now() - started });
              throw err;
            }
            deps.logger.warn({ err, skill: skill.skillId, taskId: task.id }, 'a skill run failed unexpectedly');
            result = { ok: false, error: 'the skill could not be run' };
          }
          const duration = deps.clock.now() - started;
          await audit(allowed.caller, skill.skillId, result.ok ? 'success' : 'failure', {
            tool: name,
            duration_ms: duration,
            ...inputFacts(input),
            ...(result.ok ? { output_bytes: Buffer.byteLength(result.output) } : { failure: 'execution' }),
          });
          return result;
        },
      };
    },
  };
}
