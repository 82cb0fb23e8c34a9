/**
 * Password login and logout. A login checks the failure limits first (429 with
 * Retry-After), then the password (argon2id; an unknown user costs the same as a
 * wrong password and gets the same answer), audits every failure, and on success
 * creates a session (an `sbs_` secret stored as a hash) with its audit record in
 * one transaction. Logout revokes one of the caller's own sessions.
 */
import { denialRecord } from './denials.ts';
import { SwitchboardError } from '../core/errors.ts';
import type { SessionService } from '../core/identity.ts';
import { effectivePermissions, hasPermission } from '../core/permissions.ts';
import type { Clock, CredentialStore, Ids } from '../core/ports.ts';
import type { AuditInput } from '../core/types.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { generateSessionSecret } from './tokens.ts';

export interface SessionPolicy {
  /** A session ends after this long without a request (default 24 h). */
  readonly idleMs: number;
  /** …and at the latest this long after its login (default 7 days). */
  readonly absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 24 * 3_600_000, absoluteMs: 7 * 24 * 3_600_000 };

export interface SessionServiceDeps {
  readonly credentials: CredentialStore;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly limiter: LoginLimiter;
  readonly recordAudit: (input: AuditInput) => Promise<void>;
  readonly evictUser: (userId: string) => void;
}

const INVALID = 'Invalid username or password';

export function createSessionService(deps: SessionServiceDeps, policy: SessionPolicy): SessionService {
  // Verified against for unknown users, so that they take as long as a wrong password.
  let dummyHash: Promise<string> | undefined;
  const dummy = (): Promise<string> => (dummyHash ??= hashPassword('dummy-Password-for-timing-0'));

  return {
    async login(input) {
      const now = deps.clock.now();
      const failure = (userId: string | null, reason: string): AuditInput => ({
        eventType: 'session.created',
        userId,
        sessionId: null,
        resourceType: 'session',
        resourceId: null,
        action: 'auth.login',
        status: 'failure',
        details: { username: input.username, ip: input.ip, reason },
      });
      const wait = deps.limiter.retryAfter(input.username, input.ip, now);
      if (wait > 0) {
        await deps.recordAudit(failure(null, 'rate limited'));
        throw new SwitchboardError('AUTH_RATE_LIMITED', undefined, undefined, { retryAfterMs: wait });
      }
      const found = await deps.credentials.findLogin(input.username);
      const ok = await verifyPassword(found?.passwordHash ?? (await dummy()), input.password);
      if (found === undefined || found.passwordHash === null || !ok || found.user.disabled) {
        deps.limiter.recordFailure(input.username, input.ip, now);
        const reason = found === undefined ? 'unknown user' : found.user.disabled && ok ? 'user disabled' : 'wrong password';
        await deps.recordAudit(failure(found?.user.id ?? null, reason));
        throw new SwitchboardError('AUTH_INVALID', INVALID);
      }
      deps.limiter.recordSuccess(input.username);
      const { user } = found;
      const secret = generateSessionSecret();
      const absoluteExpiresAt = now + policy.absoluteMs;
      const session = {
        id: deps.ids.uuid(),
        userId: user.id,
        deviceId: input.deviceId ?? null,
        createdAt: now,
        lastActivity: now,
        expiresAt: Math.min(now + policy.idleMs, absoluteExpiresAt),
        revokedAt: null,
      };
      const audit: AuditInput = {
        eventType: 'session.created',
        userId: user.id,
        sessionId: session.id,
        resourceType: 'session',
        resourceId: session.id,
        action: 'auth.login',
        status: 'success',
        details: { ip: input.ip, device_id: session.deviceId },
      };
      await deps.credentials.createSession({ ...session, secretHash: secret.hash, absoluteExpiresAt }, { records: [audit], now });
      const permissions = [...effectivePermissions({ principal: user, via: 'session' })].sort();
      return { ...session, token: secret.secret, permissions };
    },

    async logout(caller, sessionId) {
      const session = await deps.credentials.getSession(sessionId);
      const mine = session !== undefined && session.userId === caller.principal.id;
      if (!mine && !hasPermission(caller, 'admin:users')) {
        // Someone else's session (or none): not revealed; the attempt is audited.
        await deps.recordAudit(denialRecord(caller, 'session.delete', 'session', sessionId, 'not the owner of the session'));
        throw new SwitchboardError('SESSION_NOT_FOUND', undefined, { session_id: sessionId });
      }
      if (session === undefined) throw new SwitchboardError('SESSION_NOT_FOUND', undefined, { session_id: sessionId });
      const now = deps.clock.now();
      const audit: AuditInput = {
        eventType: 'session.deleted',
        userId: caller.principal.id,
        sessionId: caller.sessionId ?? null,
        resourceType: 'session',
        resourceId: sessionId,
        action: 'session.delete',
        status: 'success',
        details: { owner_id: session.userId },
      };
      const revoked = await deps.credentials.revokeSession(sessionId, { records: [audit], now });
      if (revoked === undefined) throw new SwitchboardError('SESSION_NOT_FOUND', undefined, { session_id: sessionId });
      deps.evictUser(session.userId);
      return revoked;
    },
  };
}
