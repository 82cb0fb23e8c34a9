/** Numbered, forward-only migrations; add new ones at the end, never edit a released one. */
import type { Migration } from 'kysely';
import * as m0001 from './0001-init.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-init': m0001,
};
