/**
 * Resource policies as the runtime exposes them, with `explain`.
 */
import type { Caller } from '../domain/caller.ts';
import type { ExplainRequest, Explanation, NewPolicyInput, Policy, PolicyInput } from '../domain/policy.ts';

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
