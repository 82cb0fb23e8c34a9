/** autocannon (a CommonJS package without types) with the small typed surface used here. */
import { createRequire } from 'node:module';

export interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  readonly headers?: Record<string, string>;
  readonly pipelining?: number;
}

export interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly totalCount: number };
  readonly requests: { readonly average: number; readonly total: number };
}

type Autocannon = (opts: AutocannonOptions & { readonly setupClient?: unknown }) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export function runAutocannon(options: AutocannonOptions): Promise<AutocannonResult> {
  return autocannon({ pipelining: 1, ...options });
}
