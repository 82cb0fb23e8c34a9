/**
 * Resource policies as the runtime exposes them, with `explain`.
 */
import type { Caller, DeviceTrust } from '../domain/caller.ts';
import type { Decision, ResourceRef } from '../domain/decision.ts';
import type { Permission } from '../domain/permissions.ts';
import type { Policy, PolicyRules } from '../domain/policy.ts';

/** A policy as given by an administrator: users may be ids or usernames (stored as ids). */
export type PolicyInput = PolicyRules;

/** A new policy; without an id one is generated. */
export interface NewPolicyInput extends PolicyInput {
  readonly id?: string;
}

/** Which decision to explain: for the caller, or (with `admin:users`) for another user. */
export interface ExplainRequest {
  readonly userId?: string;
  readonly permission: Permission;
  readonly resource?: ResourceRef;
  /** Explain as if the caller acted from a device of this trust level (default: the caller's own; none for another user). */
  readonly deviceTrust?: DeviceTrust;
}

/** An explained decision: who, what, on which resource, and every step. */
export interface Explanation extends Decision {
  readonly userId: string;
  readonly permission: Permission;
  readonly resource: ResourceRef | undefined;
}

/** Resource policies: managing them needs `admin:system`; every change is audited. */
export interface PolicyAdmin {
  list(caller: Caller): Promise<readonly Policy[]>;
  get(caller: Caller, id: string): Promise<Policy>;
  create(caller: Caller, input: NewPolicyInput): Promise<Policy>;
  /** Replaces every rule of the policy. */
  update(caller: Caller, id: string, input: PolicyInput): Promise<Policy>;
  delete(caller: Caller, id: string): Promise<Policy>;
  /** Says which rule allows or denies; for another user it needs `admin:users`. */
  explain(caller: Caller, request: ExplainRequest): Promise<Explanation>;
}
