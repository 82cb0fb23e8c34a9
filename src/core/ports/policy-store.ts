/** The PolicyStore port: resource policies as the security module needs them. */
import type { AuditArg } from '../domain/audit.ts';
import type { Policy } from '../domain/policy.ts';

/**
 * Stored resource policies. Every change writes its audit records in the same
 * transaction (at time `now`): no change without its record, no record without its change.
 */
export interface PolicyStore {
  /** Every policy, ordered by id. */
  listPolicies(): Promise<readonly Policy[]>;
  getPolicy(id: string): Promise<Policy | undefined>;
  /** False (nothing written) when a policy with this id exists. */
  createPolicy(policy: Policy, audit: AuditArg): Promise<boolean>;
  /** Replaces the rules of an existing policy (keeps `createdAt`); undefined when there is none. */
  updatePolicy(policy: Policy, audit: AuditArg): Promise<Policy | undefined>;
  /** The deleted policy; undefined (nothing written) when there is none. */
  deletePolicy(id: string, audit: AuditArg): Promise<Policy | undefined>;
}
