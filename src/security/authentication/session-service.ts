/**
 * Sessions. A login checks the failure limits first (429 with Retry-After), then the
 * password (argon2id; an unknown user costs the same as a wrong password and gets the
 * same answer), audits every failure, and on success creates a session. `create`
 * makes one from a credential the caller already holds (another user's needs
 * admin:users). Both go through `startSession`: a public id (UUID: URLs, audit,
 * tasks) and an `sbs_` bearer secret stored only as a hash, written with its audit
 * record in one transaction. Callers see, list and revoke their own sessions;
 * admin:users anyone's.
 */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { CreatedSession, SessionInfo, UserInfo } from '../../core/domain/identity.ts';
import type { SessionDeviceRequest, SessionService } from '../../core/services/session-service.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { CredentialStore } from '../../core/ports/credential-store.ts';
import type { Ids } from '../../core/ports/ids.ts';
import type { AuditInput } from '../../core/domain/audit.ts';
import { effectivePermissions, type Caller } from '../../core/domain/caller.ts';
import type { Guard } from '../../core/ports/guard.ts';
import type { DeviceService } from '../../core/services/device-service.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { generateSessionSecret } from './tokens.ts';

/** Session lifetimes; the configuration resolves them (defaults there: 24 h idle, 7 days absolute). */
export interface SessionPolicy {
  /** A session ends after this long without a request. */
  readonly idleMs: number;
  /** …and at the latest this long after it was created. */
  readonly absoluteMs: number;
}

export interface SessionServiceDeps {
  readonly credentials: CredentialStore;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly limiter: LoginLimiter;
  readonly guard: Guard;
  readonly evictUser: (userId: string) => void;
  /** Decides a new session's device: proof checked, trust read from the registry. */
  readonly devices: Pick<DeviceService, 'bindSession'>;
}

const INVALID = 'Invalid username or password';
/** Sessions listed at most (newest first). */
const MAX_LISTED = 1000;

export function createSessionService(deps: SessionServiceDeps, policy: SessionPolicy): SessionService {
  // Verified against for unknown users, so that they take as long as a wrong password.
  let dummyHash: Promise<string> | undefined;
  const dummy = (): Promise<string> => (dummyHash ??= hashPassword('dummy-Password-for-timing-0'));
  const { guard } = deps;

  /**
   * The one place that decides which device a new session is bound to, for login and
   * create alike: the device registry checks the proof (a device with a key needs one)
   * and refuses revoked devices and other users' devices.
   */
  async function decideSessionDevice(user: UserInfo, request: SessionDeviceRequest): Promise<{ readonly deviceId: string | null }> {
    return deps.devices.bindSession({
      userId: user.id,
      ...(request.deviceId !== undefined ? { deviceId: request.deviceId } : {}),
      ...(request.deviceProof !== undefined ? { proof: request.deviceProof } : {}),
    });
  }

  /** Builds, stores and audits a new session of `user`: the one path for login and create. */
  async function startSession(
    user: UserInfo,
    request: SessionDeviceRequest,
    auditOf: (session: SessionInfo) => AuditInput,
  ): Promise<CreatedSession> {
    const device = await decideSessionDevice(user, request);
    const now = deps.clock.now();
    const secret = generateSessionSecret();
    const absoluteExpiresAt = now + policy.absoluteMs;
    const session: SessionInfo = {
      id: deps.ids.uuid(),
      userId: user.id,
      deviceId: device.deviceId,
      createdAt: now,
      lastActivity: now,
      expiresAt: Math.min(now + policy.idleMs, absoluteExpiresAt),
      revokedAt: null,
    };
    await deps.credentials.createSession({ ...session, secretHash: secret.hash, absoluteExpiresAt }, { records: [auditOf(session)], now });
    const permissions = [...effectivePermissions({ principal: user, via: 'session' })].sort();
    return { ...session, token: secret.secret, permissions };
  }

  /** The session, if it is the caller's own or the caller holds admin:users; else a denial, answered as not found. */
  async function visibleSession(caller: Caller, sessionId: string, action: string): Promise<SessionInfo> {
    const session = await deps.credentials.getSession(sessionId);
    const notFound = (): SwitchboardError => new SwitchboardError('SESSION_NOT_FOUND', undefined, { session_id: sessionId });
    const resource = { type: 'session', id: sessionId };
    if (session?.userId !== caller.principal.id) {
      const decision = await guard.decide(caller, 'admin:users', resource);
      // Someone else's session (or none): not revealed; the attempt is audited.
      if (!decision.allowed) await guard.refuse(caller, { action, permission: 'admin:users', resource, reason: 'not the owner of the session' }, notFound());
    }
    if (session === undefined) throw notFound();
    return session;
  }

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
      const wait = await deps.limiter.retryAfter(input.username, input.ip, now);
      if (wait > 0) {
        await guard.record(failure(null, 'rate limited'));
        throw new SwitchboardError('AUTH_RATE_LIMITED', undefined, undefined, { retryAfterMs: wait });
      }
      const found = await deps.credentials.findLogin(input.username);
      const ok = await verifyPassword(found?.passwordHash ?? (await dummy()), input.password);
      if (found === undefined || found.passwordHash === null || !ok || found.user.disabled) {
        await deps.limiter.recordFailure(input.username, input.ip, now);
        const reason = found === undefined ? 'unknown user' : found.user.disabled && ok ? 'user disabled' : 'wrong password';
        await guard.record(failure(found?.user.id ?? null, reason));
        throw new SwitchboardError('AUTH_INVALID', INVALID);
      }
      await deps.limiter.recordSuccess(input.username);
      const { user } = found;
      return startSession(user, input, (session) => ({
        eventType: 'session.created',
        userId: user.id,
        sessionId: session.id,
        resourceType: 'session',
        resourceId: session.id,
        action: 'auth.login',
        status: 'success',
        details: { ip: input.ip, device_id: session.deviceId },
      }));
    },

    async create(caller, input) {
      const userId = input.userId ?? caller.principal.id;
      await guard.ensureSelfOr(caller, userId, 'admin:users', { type: 'user', id: userId }, { action: 'session.create', why: "creating another user's session" });
      const user = await deps.credentials.getUser(userId);
      if (user === undefined) throw new SwitchboardError('USER_NOT_FOUND', undefined, { user_id: userId });
      if (user.disabled) {
        await guard.refuse(caller, { action: 'session.create', permission: null, resource: { type: 'user', id: userId }, reason: 'the user is disabled' });
      }
      return startSession(user, input, (session) => ({
        eventType: 'session.created',
        userId: caller.principal.id,
        sessionId: caller.sessionId ?? null,
        resourceType: 'session',
        resourceId: session.id,
        action: 'session.create',
        status: 'success',
        details: { owner_id: user.id, device_id: session.deviceId, via: caller.via },
      }));
    },

    get: (caller, sessionId) => visibleSession(caller, sessionId, 'session.read'),

    async list(caller, input) {
      const userId = input.all === true ? undefined : (input.userId ?? caller.principal.id);
      const resource = { type: userId === undefined ? 'session' : 'user', id: userId ?? null };
      await guard.ensureSelfOr(caller, userId, 'admin:users', resource, { action: 'session.list', why: "listing other users' sessions" });
      return deps.credentials.listSessions({ ...(userId !== undefined ? { userId } : {}), now: deps.clock.now(), limit: MAX_LISTED });
    },

    async logout(caller, sessionId) {
      const session = await visibleSession(caller, sessionId, 'session.delete');
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
