/** Availability probes of the networked agent kinds: the key is present and the endpoint answers a cheap GET. */
import type { AgentAdapter } from '../../core/ports/agent-adapter.ts';
import type { BuiltAgent } from '../registry/mutable-registry.ts';
import { probeEndpoint } from '../probe-endpoint.ts';

/** LLM agents: the adapter's key check first (no request without a key), then `url` (e.g. /models, /api/tags). */
export function llmProbe(adapter: AgentAdapter, url: string, headers: Readonly<Record<string, string>>): BuiltAgent['probe'] {
  return async () => {
    if (!(await adapter.isAvailable())) return { available: false, reason: 'the API key variable is not set' };
    return probeEndpoint(url, { headers, keyed: Object.keys(headers).some((h) => /key|authorization/i.test(h)) });
  };
}

/** HTTP agents: every referenced variable set, and the API URL answering at all. */
export function httpProbe(apiUrl: string, headers: Readonly<Record<string, string>>, missing: readonly string[]): BuiltAgent['probe'] {
  return async () => {
    if (missing.length > 0) return { available: false, reason: `${missing.join(', ')} not set in the environment` };
    return probeEndpoint(apiUrl, { headers, keyed: Object.keys(headers).length > 0 });
  };
}
