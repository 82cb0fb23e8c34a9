/** Numbered, forward-only migrations; add new ones at the end, never edit a released one. */
import type { Migration } from 'kysely';
import * as m0001 from './0001-init.ts';
import * as m0002 from './0002-audit-queries.ts';
import * as m0003 from './0003-user-passwords.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-init': m0001,
  '0002-audit-queries': m0002,
  '0003-user-passwords': m0003,
};
