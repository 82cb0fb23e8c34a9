/** Numbered, forward-only migrations; add new ones at the end, never edit a released one. */
import type { Migration } from 'kysely';
import * as m0001 from './0001-init.ts';
import * as m0002 from './0002-audit-queries.ts';
import * as m0003 from './0003-user-passwords.ts';
import * as m0004 from './0004-session-memory.ts';
import * as m0005 from './0005-devices.ts';
import * as m0006 from './0006-policies.ts';
import * as m0007 from './0007-agent-configs.ts';
import * as m0008 from './0008-waiting-reason.ts';
import * as m0009 from './0009-board.ts';
import * as m0010 from './0010-telegram.ts';
import * as m0011 from './0011-telegram-claims.ts';
import * as m0012 from './0012-login-failures.ts';
import * as m0013 from './0013-worker-nodes.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-init': m0001,
  '0002-audit-queries': m0002,
  '0003-user-passwords': m0003,
  '0004-session-memory': m0004,
  '0005-devices': m0005,
  '0006-policies': m0006,
  '0007-agent-configs': m0007,
  '0008-waiting-reason': m0008,
  '0009-board': m0009,
  '0010-telegram': m0010,
  '0011-telegram-claims': m0011,
  '0012-login-failures': m0012,
  '0013-worker-nodes': m0013,
};
