/**
 * User and API-token administration: authorize → act → audit. `admin:users` manages
 * everyone; a user manages their own tokens. A caller can grant (or take away) only
 * roles whose every permission it holds itself. Every change is written with its
 * audit record in one transaction; every refusal is audited before it is thrown.
 * Disabling a user, changing their roles or revoking a token evicts the user from the
 * authenticator's cache, so the change applies to the very next request on this node
 * (other nodes: within the cache's short TTL).
 */
import { SwitchboardError } from '../core/domain/errors.ts';
import type { TokenInfo, UserInfo } from '../core/domain/identity.ts';
import type { UserAdmin } from '../core/services/user-admin.ts';
import { ROLE_PERMISSIONS, type Role } from '../core/domain/permissions.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Caller } from '../core/domain/caller.ts';
import type { Guard } from '../core/ports/guard.ts';
import { grantable, keepsAnAdministrator } from './grantable.ts';
import { hashPassword, verifyPassword } from '../security/authentication/passwords.ts';
import type { LoginLimiter } from '../core/ports/login-limiter.ts';
import { generateToken } from '../security/authentication/tokens.ts';

export interface UserAdminDeps {
  readonly credentials: CredentialStore;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly guard: Guard;
  /** Forgets cached credentials of a user (the authenticator's cache). */
  readonly evictUser: (userId: string) => void;
  /** The login limiter: guessing the current password is limited like guessing at login. */
  readonly limiter: LoginLimiter;
}

const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

export function createUserAdmin(deps: UserAdminDeps): UserAdmin {
  const { credentials } = deps;

  const record = (caller: Caller, r: Omit<AuditInput, 'userId' | 'sessionId' | 'status'>): AuditInput => ({
    ...r,
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    status: 'success',
  });

  const { guard } = deps;
  const needAdmin = (caller: Caller, resourceType: string, resourceId: string | null): Promise<void> =>
    guard.ensure(caller, 'admin:users', { type: resourceType, id: resourceId });

  /** The user's own account, or admin:users for anyone's. */
  const needSelfOrAdmin = (caller: Caller, userId: string, resourceType: string): Promise<void> =>
    guard.ensureSelfOr(caller, userId, 'admin:users', { type: resourceType, id: userId }, { why: "managing another user's credentials" });

  async function needGrantable(caller: Caller, roles: readonly Role[], userId: string | null): Promise<void> {
    for (const role of roles) await grantable(guard, caller, ROLE_PERMISSIONS[role], userId, `cannot grant or remove role ${role}`);
  }

  async function existing(userId: string): Promise<UserInfo> {
    const user = await credentials.getUser(userId);
    if (user === undefined) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userId });
    return user;
  }

  const unique = (roles: readonly Role[]): Role[] => [...new Set(roles)];

  return {
    async me(caller) {
      return existing(caller.principal.id);
    },

    async listUsers(caller) {
      await needAdmin(caller, 'user', null);
      return credentials.listUsers();
    },

    async createUser(caller, input) {
      await needAdmin(caller, 'user', null);
      const roles = unique(input.roles);
      await needGrantable(caller, roles, null);
      if (!USERNAME.test(input.username)) {
        throw new SwitchboardError('VALIDATION_FAILED', 'username: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
      }
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      if ((await credentials.findUserByName(input.username)) !== undefined) {
        throw new SwitchboardError('USERNAME_TAKEN', undefined, { username: input.username });
      }
      const now = deps.clock.now();
      const id = deps.ids.uuid();
      const audit = record(caller, {
        eventType: 'resource.modified',
        resourceType: 'user',
        resourceId: id,
        action: 'user.create',
        details: { username: input.username, roles, password: passwordHash !== null },
      });
      try {
        await credentials.createUser({ id, username: input.username, kind: 'user', roles, grants: [], createdAt: now, passwordHash }, { records: [audit], now });
      } catch (err) {
        // Lost a race for the name: the unique index refused the second insert.
        if ((await credentials.findUserByName(input.username)) !== undefined) {
          throw new SwitchboardError('USERNAME_TAKEN', undefined, { username: input.username });
        }
        throw err;
      }
      return existing(id);
    },

    async updateUser(caller, userId, patch) {
      await needAdmin(caller, 'user', userId);
      const before = await existing(userId);
      const roles = patch.roles === undefined ? undefined : unique(patch.roles);
      const added = roles?.filter((r) => !before.roles.includes(r)) ?? [];
      const removed = roles === undefined ? [] : before.roles.filter((r) => !roles.includes(r));
      await needGrantable(caller, [...added, ...removed], userId);
      if (patch.disabled === true && userId === caller.principal.id) {
        throw new SwitchboardError('VALIDATION_FAILED', 'You cannot disable your own account');
      }
      await keepsAnAdministrator(guard, caller, credentials, before, { roles: roles ?? before.roles, disabled: patch.disabled ?? before.disabled });
      const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
      const now = deps.clock.now();
      const records: AuditInput[] = [];
      const base = { resourceType: 'user', resourceId: userId } as const;
      if (added.length > 0) records.push(record(caller, { ...base, eventType: 'permission.granted', action: 'user.roles', details: { roles: added } }));
      if (removed.length > 0) records.push(record(caller, { ...base, eventType: 'permission.revoked', action: 'user.roles', details: { roles: removed } }));
      if (patch.disabled !== undefined && patch.disabled !== before.disabled) {
        const action = patch.disabled ? 'user.disable' : 'user.enable';
        records.push(record(caller, { ...base, eventType: 'resource.modified', action, details: { disabled: patch.disabled } }));
      }
      if (passwordHash !== undefined) {
        records.push(record(caller, { ...base, eventType: 'resource.modified', action: 'user.password', details: {} }));
      }
      const changed = await credentials.updateUser(
        userId,
        {
          ...(roles !== undefined ? { roles } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
          ...(passwordHash !== undefined ? { passwordHash } : {}),
        },
        { records, now },
      );
      if (!changed) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userId });
      deps.evictUser(userId);
      return existing(userId);
    },

    async changeOwnPassword(caller, input) {
      const userId = caller.principal.id;
      const login = await credentials.findLogin((await existing(userId)).username);
      if (login === undefined || login.user.disabled) throw new SwitchboardError('AUTH_INVALID');
      const base = { resourceType: 'user', resourceId: userId, action: 'user.password' } as const;
      const username = login.user.username;
      const wait = await deps.limiter.retryAfter(username, input.ip, deps.clock.now());
      if (wait > 0) throw new SwitchboardError('AUTH_RATE_LIMITED', undefined, undefined, { retryAfterMs: wait });
      if (login.passwordHash !== null && (input.currentPassword === undefined || !(await verifyPassword(login.passwordHash, input.currentPassword)))) {
        await deps.limiter.recordFailure(username, input.ip, deps.clock.now());
        await guard.record({ ...record(caller, { ...base, eventType: 'permission.denied', details: { reason: 'current password wrong' } }), status: 'denied' });
        throw new SwitchboardError('CURRENT_PASSWORD_WRONG');
      }
      const passwordHash = await hashPassword(input.newPassword);
      const now = deps.clock.now();
      // A changed password shuts out whoever else held a session of this account.
      const others = (await credentials.listSessions({ userId, now, limit: 1000 })).filter((s) => s.id !== caller.sessionId);
      const changed = await credentials.updateUser(userId, { passwordHash }, { records: [record(caller, { ...base, eventType: 'resource.modified', details: { self: true, sessions_ended: others.length } })], now });
      if (!changed) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userId });
      for (const s of others) {
        await credentials.revokeSession(s.id, {
          records: [record(caller, { eventType: 'session.deleted', resourceType: 'session', resourceId: s.id, action: 'session.delete', details: { owner_id: userId, reason: 'password changed' } })],
          now,
        });
      }
      deps.evictUser(userId);
      return existing(userId);
    },

    async createToken(caller, userId, input) {
      await needSelfOrAdmin(caller, userId, 'api_token');
      const user = await existing(userId);
      if (user.disabled) throw new SwitchboardError('VALIDATION_FAILED', 'The user is disabled');
      const now = deps.clock.now();
      const expiresAt = input.expiresAt ?? null;
      if (expiresAt !== null && expiresAt <= now) throw new SwitchboardError('VALIDATION_FAILED', 'expires_at must be in the future');
      const secret = generateToken();
      const info: TokenInfo = { id: deps.ids.uuid(), userId, name: input.name, prefix: secret.displayPrefix, createdAt: now, expiresAt, revokedAt: null };
      const audit = record(caller, {
        eventType: 'resource.modified',
        resourceType: 'api_token',
        resourceId: info.id,
        action: 'token.create',
        details: { owner_id: userId, name: input.name, prefix: info.prefix, expires_at: expiresAt },
      });
      await credentials.createToken({ ...info, tokenHash: secret.hash }, { records: [audit], now });
      return { ...info, token: secret.token };
    },

    async listTokens(caller, userId) {
      await needSelfOrAdmin(caller, userId, 'api_token');
      await existing(userId);
      return credentials.listTokens(userId);
    },

    async revokeToken(caller, userId, tokenId) {
      await needSelfOrAdmin(caller, userId, 'api_token');
      const now = deps.clock.now();
      const audit = record(caller, {
        eventType: 'resource.deleted',
        resourceType: 'api_token',
        resourceId: tokenId,
        action: 'token.revoke',
        details: { owner_id: userId },
      });
      const token = await credentials.revokeToken(userId, tokenId, { records: [audit], now });
      if (token === undefined) throw new SwitchboardError('TOKEN_NOT_FOUND', undefined, { token_id: tokenId });
      deps.evictUser(userId);
      return token;
    },
  };
}
