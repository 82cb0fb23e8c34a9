/** The building blocks every wire shape shares: ISO times and free-form JSON objects. */
import { z } from 'zod';

/** Milliseconds since the epoch as an ISO 8601 time; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A JSON object with any values (context, metadata, config). */
export const jsonObject = z.record(z.string(), z.unknown());
