/**
 * The policy-aware authorizer: the role table, then resource policies (core/policy.ts
 * has the precedence). It sits on every runtime call, so the policy set is cached:
 * this node drops the cache at once when it changes a policy (`invalidate`); other
 * nodes read the store again after `cacheMs`, so they are at most that stale. Checks
 * without a resource id (listings) never read policies at all.
 */
import type { Permission } from '../../core/domain/permissions.ts';
import { evaluate, roleTableDecision, type Policy } from '../../core/domain/policy.ts';
import type { Decision, ResourceRef } from '../../core/domain/decision.ts';
import type { Authorizer } from '../../core/ports/authorizer.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { PolicyStore } from '../../core/ports/policy-store.ts';
import type { Caller } from '../../core/domain/caller.ts';

export interface PolicyAuthorizerOptions {
  /** How long a read policy set is used without reading the store again (default: 1,000 ms). */
  readonly cacheMs: number;
}

/** An authorizer whose policy cache the policy service can read and drop. */
export interface PolicyAuthorizer extends Authorizer {
  /** The current policy set (from the cache when fresh). */
  policies(): Promise<readonly Policy[]>;
  /** Forgets the cached set: the next check reads the store. */
  invalidate(): void;
}

export function createPolicyAuthorizer(
  deps: { readonly store: PolicyStore; readonly clock: Clock },
  options: PolicyAuthorizerOptions = { cacheMs: 1000 },
): PolicyAuthorizer {
  let cached: { readonly policies: readonly Policy[]; readonly until: number } | undefined;
  let loading: Promise<readonly Policy[]> | undefined;
  // Bumped by invalidate(): a read started before a change must not be cached after it.
  let generation = 0;

  function policies(): Promise<readonly Policy[]> {
    if (cached !== undefined && cached.until > deps.clock.now()) return Promise.resolve(cached.policies);
    if (loading !== undefined) return loading;
    const started = generation;
    const load = deps.store.listPolicies().then((list) => {
      if (started === generation) cached = { policies: list, until: deps.clock.now() + options.cacheMs };
      return list;
    });
    loading = load;
    const clear = (): void => {
      if (loading === load) loading = undefined;
    };
    load.then(clear, clear);
    return load;
  }

  return {
    policies,
    invalidate() {
      generation += 1;
      cached = undefined;
      loading = undefined;
    },
    async check(caller: Caller, permission: Permission, resource?: ResourceRef): Promise<Decision> {
      if (resource === undefined || resource.id === null) return roleTableDecision(caller, permission);
      // Refused by the role table: no policy can change that, so no need to read them.
      if (!roleTableDecision(caller, permission).allowed) return evaluate(caller, permission, resource, []);
      return evaluate(caller, permission, resource, await policies());
    },
  };
}
