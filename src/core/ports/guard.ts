/**
 * The Guard port: the one way a service checks a permission. It decides through the
 * Authorizer (roles, grants, resource policies, device trust), so no service can skip
 * a policy, and it audits every refusal before it is thrown (fail closed).
 */
import type { Caller } from '../domain/caller.ts';
import type { Decision, ResourceRef } from '../domain/decision.ts';
import type { SwitchboardError } from '../domain/errors.ts';
import type { Permission } from '../domain/permissions.ts';
import type { AuditSink } from './audit-sink.ts';


/** How a refusal reads in its error and its `permission.denied` record. */
export interface RefusalText {
  /** The audit action when it is not the permission itself, e.g. `session.create`. */
  readonly action?: string;
  /** Said first in the reason, before the authorizer's own, e.g. `installing from a path requires admin:system`. */
  readonly why?: string;
}

/** One refused call: what was asked, on what, and why not. */
export interface Refusal extends RefusalText {
  /** The permission that would have allowed it; null when none can (only the owner may). */
  readonly permission: Permission | null;
  readonly resource: ResourceRef | null;
  readonly reason: string;
}

export interface Guard {
  /** The decision alone: nothing recorded, nothing thrown (visibility rules, listings). */
  decide(caller: Caller, permission: Permission, resource?: ResourceRef): Promise<Decision>;
  /** Allowed, or the refusal audited and thrown as AUTH_FORBIDDEN. */
  ensure(caller: Caller, permission: Permission, resource: ResourceRef, text?: RefusalText): Promise<void>;
  /** One's own resource (`ownerId` is the caller) needs nothing more; someone else's needs `permission`. */
  ensureSelfOr(caller: Caller, ownerId: string | undefined, permission: Permission, resource: ResourceRef, text?: RefusalText): Promise<void>;
  /** Audits the refusal, then throws AUTH_FORBIDDEN, or `concealed` (a not-found error) so that the resource's existence is not revealed. */
  refuse(caller: Caller, refusal: Refusal, concealed?: SwitchboardError): Promise<never>;
  /** The audit sink. */
  readonly record: AuditSink;
}
