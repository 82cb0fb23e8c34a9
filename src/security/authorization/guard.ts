/**
 * The guard every service checks permissions with: the Authorizer decides, a refusal
 * is written as `permission.denied` before it is thrown (if that write fails, its
 * error propagates instead: the call is refused either way).
 */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { AuditInput } from '../../core/domain/audit.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { Authorizer } from '../../core/ports/authorizer.ts';
import type { AuditSink } from '../../core/ports/audit-sink.ts';
import type { Guard, Refusal } from '../../core/ports/guard.ts';

/** The `permission.denied` record of a refused call: `action` what was attempted, `details.permission` what it needed. */
export function denialRecord(caller: Caller, refusal: Refusal): AuditInput {
  return {
    eventType: 'permission.denied',
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType: refusal.resource?.type ?? null,
    resourceId: refusal.resource?.id ?? null,
    action: refusal.action ?? refusal.permission ?? 'access',
    status: 'denied',
    details: { permission: refusal.permission, reason: reasonOf(refusal), ...(caller.channel !== undefined ? { channel: caller.channel } : {}) },
  };
}

const reasonOf = (refusal: Refusal): string => (refusal.why === undefined ? refusal.reason : `${refusal.why} (${refusal.reason})`);

export function createGuard(authorizer: Authorizer, record: AuditSink): Guard {
  async function refuse(caller: Caller, refusal: Refusal, concealed?: SwitchboardError): Promise<never> {
    await record(denialRecord(caller, refusal));
    if (concealed !== undefined) throw concealed;
    throw new SwitchboardError('AUTH_FORBIDDEN', `Permission denied: ${reasonOf(refusal)}`, refusal.permission === null ? undefined : { permission: refusal.permission });
  }

  const guard: Guard = {
    record,
    refuse,
    decide: (caller, permission, resource) => authorizer.check(caller, permission, resource),
    async ensure(caller, permission, resource, text = {}) {
      const decision = await authorizer.check(caller, permission, resource);
      if (!decision.allowed) await refuse(caller, { ...text, permission, resource, reason: decision.reason });
    },
    async ensureSelfOr(caller, ownerId, permission, resource, text) {
      if (ownerId !== undefined && ownerId === caller.principal.id) return;
      await guard.ensure(caller, permission, resource, text);
    },
  };
  return guard;
}
