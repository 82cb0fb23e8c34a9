/**
 * The caller a skill call is authorized as: the task's owner with the task's session,
 * its device and that device's trust now (so a trusted-device policy applies to skill
 * calls as it does to HTTP calls).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSkillToolGate } from '../../src/security/authorization/skill-tools.ts';
import type { Caller } from '../../src/core/domain/caller.ts';
import type { DeviceRecord } from '../../src/core/domain/device.ts';
import type { SessionInfo, UserInfo } from '../../src/core/domain/identity.ts';
import type { SkillDefinition } from '../../src/core/domain/skill.ts';
import type { Task } from '../../src/core/domain/task.ts';
import type { AuditInput } from '../../src/core/domain/audit.ts';

const user = { id: 'u1', username: 'tess', kind: 'user', roles: ['developer'], grants: [], disabled: false, hasPassword: true, createdAt: 0 } as UserInfo;
const session: SessionInfo = { id: 's1', userId: 'u1', deviceId: 'd1', createdAt: 0, lastActivity: 0, expiresAt: 1, revokedAt: null };
const device = { id: 'd1', ownerId: 'u1', name: 'laptop', publicKey: null, trust: 'trusted', firstSeen: 0, lastSeen: 0, approvedBy: null, approvedAt: null, revokedAt: null } as DeviceRecord;
const skill = { skillId: 'shout', name: 'shout', description: 'Shouts', requiredPermissions: [], instructions: '', requiresApproval: false, entrypoint: null, inputSchema: null, dir: '/x' } as unknown as SkillDefinition;
const task = { id: 't1', ownerId: 'u1', sessionId: 's1' } as Task;

describe('skill tool caller', () => {
  it("authorizes a skill call with the session's device and its current trust", async () => {
    const seen: Caller[] = [];
    const audit: AuditInput[] = [];
    const gate = createSkillToolGate({
      skills: { list: async () => [skill], get: async (id) => (id === 'shout' ? skill : undefined) },
      executor: { run: async () => { throw new Error('a refused call must not run'); } } as never,
      guard: {
        decide: async (caller) => {
          seen.push(caller);
          return { allowed: false, reason: 'requires a trusted device', rule: 'policy:p' };
        },
        record: async (input) => void audit.push(input),
      },
      credentials: { getUser: async () => user, getSession: async () => session },
      devices: { findDevice: async (id) => (id === 'd1' ? device : undefined) },
      clock: { now: () => 0 } as never,
      ids: { next: () => 'id' } as never,
      logger: { debug() {}, info() {}, warn() {}, error() {} } as never,
    });
    const tools = gate.forTask({ task, allowedSkills: ['shout'], signal: new AbortController().signal, requestApproval: async () => ({ approved: false, by: 'x', reason: null }) });
    const result = await tools.call('shout', {});
    assert.equal(result.ok, false);
    assert.equal(seen[0]?.deviceId, 'd1');
    assert.equal(seen[0]?.deviceTrust, 'trusted');
    assert.equal(audit[0]?.eventType, 'permission.denied');
  });
});
