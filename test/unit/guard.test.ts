/**
 * The guard and the rules built on it, with the real policy-aware authorizer over a
 * fixed policy set: refusals are audited before they are thrown, the task-visibility
 * rule is the same for the runtime and for worktree removal, and no change leaves the
 * system without someone who can administer users.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditInput } from '../../src/core/domain/audit.ts';
import type { Caller } from '../../src/core/domain/caller.ts';
import { isSwitchboardError } from '../../src/core/domain/errors.ts';
import type { UserInfo } from '../../src/core/domain/identity.ts';
import type { Role } from '../../src/core/domain/permissions.ts';
import type { Policy } from '../../src/core/domain/policy.ts';
import type { Task } from '../../src/core/domain/task.ts';
import { createGuard } from '../../src/security/authorization/guard.ts';
import { createPolicyAuthorizer } from '../../src/security/authorization/policy-authorizer.ts';
import { createTaskVisibility } from '../../src/security/authorization/task-visibility.ts';
import { createWorktreeAdmin } from '../../src/services/worktree-admin.ts';
import { keepsAnAdministrator } from '../../src/services/grantable.ts';

const caller = (id: string, roles: Role[]): Caller => ({ principal: { id, username: id, kind: 'user', roles, grants: [] }, via: 'token' });
const user = (id: string, roles: Role[], disabled = false): UserInfo =>
  ({ id, username: id, kind: 'user', roles, grants: [], createdAt: 0, disabled, hasPassword: false });

const projectPolicy: Policy = {
  id: 'p1',
  resourceType: 'project',
  resourceId: 'apollo',
  permissions: ['task:view', 'task:cancel'],
  allowedRoles: [],
  allowedUsers: ['lead'],
  deniedUsers: [],
  requiredPermissions: [],
  requireTrustedDevice: false,
  description: '',
  createdAt: 0,
  updatedAt: 0,
};

function setUp(policies: readonly Policy[] = [projectPolicy]) {
  const audit: AuditInput[] = [];
  const authorizer = createPolicyAuthorizer({ store: { listPolicies: async () => policies } as never, clock: { now: () => 0 } });
  const guard = createGuard(authorizer, async (input) => void audit.push(input));
  return { audit, guard };
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isSwitchboardError(err) ? err.code : String(err);
  }
};

describe('the guard', () => {
  it('audits a refusal before throwing AUTH_FORBIDDEN, naming the permission and the attempted action', async () => {
    const { audit, guard } = setUp();
    const code = await codeOf(guard.ensure(caller('gus', ['guest']), 'admin:users', { type: 'user', id: 'u9' }, { action: 'user.read', why: 'reading a user' }));
    assert.equal(code, 'AUTH_FORBIDDEN');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.eventType, 'permission.denied');
    assert.equal(audit[0]?.action, 'user.read');
    assert.equal(audit[0]?.details['permission'], 'admin:users');
    assert.match(String(audit[0]?.details['reason']), /^reading a user \(/);
    assert.equal(await codeOf(guard.ensure(caller('root', ['admin']), 'admin:users', { type: 'user', id: 'u9' })), 'resolved');
    assert.equal(audit.length, 1, 'an allowed call writes nothing');
  });

  it('lets a caller act on their own resource and needs the permission for anyone else’s', async () => {
    const { audit, guard } = setUp();
    const dev = caller('dev', ['developer']);
    assert.equal(await codeOf(guard.ensureSelfOr(dev, 'dev', 'admin:users', { type: 'user', id: 'dev' })), 'resolved');
    assert.equal(await codeOf(guard.ensureSelfOr(dev, 'other', 'admin:users', { type: 'user', id: 'other' })), 'AUTH_FORBIDDEN');
    assert.equal(audit.length, 1);
  });

  it('does not let a write failure of the denial turn into an allowed call', async () => {
    const authorizer = createPolicyAuthorizer({ store: { listPolicies: async () => [] } as never, clock: { now: () => 0 } });
    const guard = createGuard(authorizer, () => Promise.reject(new Error('disk full')));
    assert.equal(await codeOf(guard.ensure(caller('gus', ['guest']), 'admin:system', { type: 'audit', id: null })), 'Error: disk full');
  });
});

describe('the task-visibility rule, shared by the runtime and worktree removal', () => {
  const tasks: Record<string, Task> = {
    t1: { id: 't1', ownerId: 'alice', projectId: 'apollo', state: 'completed' } as Task,
    t2: { id: 't2', ownerId: 'alice', projectId: null, state: 'completed' } as Task,
  };
  const find = async (id: string) => tasks[id];

  it('lets a project policy that names the caller open cancel and cleanup, and hides other tasks as not found', async () => {
    const { audit, guard } = setUp();
    const visibility = createTaskVisibility(guard, find);
    const removed: string[] = [];
    const worktrees = createWorktreeAdmin({
      tasks: visibility,
      record: guard.record,
      removeWorktree: async (taskId) => {
        removed.push(taskId);
        return { path: `/worktrees/${taskId}`, branch: `task/${taskId}`, branchDeleted: false };
      },
    });
    const lead = caller('lead', ['developer']);
    assert.equal((await visibility.visibleTask(lead, 'task:cancel', 't1')).id, 't1');
    assert.equal((await worktrees.remove(lead, 't1', { deleteBranch: false })).taskId, 't1');
    assert.deepEqual(removed, ['t1']);
    // Not in the project: neither the runtime nor worktree removal reveals the task.
    assert.equal(await codeOf(visibility.visibleTask(lead, 'task:cancel', 't2')), 'TASK_NOT_FOUND');
    assert.equal(await codeOf(worktrees.remove(lead, 't2', { deleteBranch: false })), 'TASK_NOT_FOUND');
    assert.deepEqual(removed, ['t1']);
    assert.deepEqual(
      audit.filter((a) => a.eventType === 'permission.denied').map((a) => [a.action, a.resourceId]),
      [['task:cancel', 't2'], ['worktree.remove', 't2']],
    );
    // Answering is not something a project policy opens.
    assert.equal(await codeOf(visibility.visibleTask(lead, 'task:submit', 't1')), 'TASK_NOT_FOUND');
    // Without task:cancel at all (a viewer), the refusal is a 403, not a hidden task.
    assert.equal(await codeOf(worktrees.remove(caller('vic', ['viewer']), 't1', { deleteBranch: false })), 'AUTH_FORBIDDEN');
  });
});

describe('keeping an administrator', () => {
  const root = user('root', ['admin']);
  const { guard } = setUp([]);

  it('refuses taking admin:users from oneself', async () => {
    const code = await codeOf(keepsAnAdministrator(guard, caller('root', ['admin']), { listUsers: async () => [root, user('ann', ['admin'])] }, root, { roles: ['developer'], disabled: false }));
    assert.equal(code, 'VALIDATION_FAILED');
  });

  it('refuses demoting or disabling the last enabled administrator, and allows it while another remains', async () => {
    const system: Caller = { principal: { id: 'system', username: 'system', kind: 'service', roles: ['admin'], grants: [] }, via: 'system' };
    const onlyRoot = { listUsers: async () => [root, user('ann', ['admin'], true), user('dev', ['developer'])] };
    assert.equal(await codeOf(keepsAnAdministrator(guard, system, onlyRoot, root, { roles: ['developer'], disabled: false })), 'VALIDATION_FAILED');
    assert.equal(await codeOf(keepsAnAdministrator(guard, system, onlyRoot, root, { roles: ['admin'], disabled: true })), 'VALIDATION_FAILED');
    const two = { listUsers: async () => [root, user('ann', ['admin'])] };
    assert.equal(await codeOf(keepsAnAdministrator(guard, system, two, root, { roles: ['developer'], disabled: false })), 'resolved');
    // A change that keeps admin:users needs no one else.
    assert.equal(await codeOf(keepsAnAdministrator(guard, system, onlyRoot, root, { roles: ['admin', 'developer'], disabled: false })), 'resolved');
  });
});
