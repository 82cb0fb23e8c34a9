/** Permission denials: audited first (fail closed), then refused. Shared by every security service. */
import { SwitchboardError } from '../core/domain/errors.ts';
import type { AuditInput } from '../core/domain/audit.ts';
import type { Caller } from '../core/domain/caller.ts';

/** The `permission.denied` record of a refused call. */
export function denialRecord(
  caller: Caller,
  action: string,
  resourceType: string | null,
  resourceId: string | null,
  reason: string,
): AuditInput {
  return {
    eventType: 'permission.denied',
    userId: caller.principal.id,
    sessionId: caller.sessionId ?? null,
    resourceType,
    resourceId,
    action,
    status: 'denied',
    details: { permission: action, reason },
  };
}

/**
 * Writes the denial and throws AUTH_FORBIDDEN. If the audit write fails, its error
 * propagates instead: the call is refused either way.
 */
export async function deny(
  recordAudit: (input: AuditInput) => Promise<void>,
  caller: Caller,
  action: string,
  resourceType: string | null,
  resourceId: string | null,
  reason: string,
): Promise<never> {
  await recordAudit(denialRecord(caller, action, resourceType, resourceId, reason));
  throw new SwitchboardError('AUTH_FORBIDDEN', `Permission denied: ${reason}`, { permission: action });
}
