/**
 * What `switchboard sessions …` does once its arguments are parsed. A new session's
 * token is printed once, on stdout, and never written anywhere else. Memory and
 * history answer only a CLI whose credential is that very session (e.g. the one
 * `switchboard login` stored).
 */
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { formatTable, truncate } from './format.ts';
import { readStdin } from './input.ts';
import { sessionsClient, type SessionView } from './sessions-client.ts';

export interface SessionListOptions {
  readonly all?: boolean;
  readonly user?: string;
}
export interface SessionCreateOptions {
  readonly user?: string;
  readonly device?: string;
}
export interface MemoryOptions {
  /** `set` stores the value as a string instead of parsing it as JSON. */
  readonly string?: boolean;
}
export interface HistoryOptions {
  readonly limit?: number;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user id from an id or a username (looked up: needs admin:users unless it is you). */
async function resolveUser(ctx: CommandContext, ref: string | undefined): Promise<string | undefined> {
  if (ref === undefined || UUID.test(ref)) return ref;
  const me = await ctx.client.me();
  if (me.username === ref) return me.id;
  const found = (await ctx.client.listUsers()).find((u) => u.username === ref);
  if (found === undefined) throw new UsageError(`no user named ${ref}`);
  return found.id;
}

function sessionTable(sessions: readonly SessionView[]): string {
  const state = (s: SessionView): string => (s.revoked_at !== null ? 'revoked' : Date.parse(s.expires_at) <= Date.now() ? 'expired' : 'active');
  return formatTable(
    ['ID', 'USER', 'DEVICE', 'STATE', 'CREATED', 'LAST ACTIVITY', 'EXPIRES'],
    sessions.map((s) => [s.session_id, s.user_id, s.device_id ?? '-', state(s), s.created_at, s.last_activity, s.expires_at]),
  );
}

export async function sessionsListAction(ctx: CommandContext, opts: SessionListOptions): Promise<number> {
  if (opts.all === true && opts.user !== undefined) throw new UsageError('give --all or --user, not both');
  const userId = await resolveUser(ctx, opts.user);
  const sessions = await sessionsClient(ctx.client).list({ all: opts.all === true, ...(userId !== undefined ? { user_id: userId } : {}) });
  ctx.out(ctx.json ? pretty(sessions) : sessionTable(sessions));
  return ExitCodes.ok;
}

export async function sessionsShowAction(ctx: CommandContext, id: string): Promise<number> {
  const session = await sessionsClient(ctx.client).get(id);
  ctx.out(ctx.json ? pretty(session) : sessionTable([session]));
  return ExitCodes.ok;
}

export async function sessionsCreateAction(ctx: CommandContext, opts: SessionCreateOptions): Promise<number> {
  const userId = await resolveUser(ctx, opts.user);
  const created = await sessionsClient(ctx.client).create({
    ...(userId !== undefined ? { user_id: userId } : {}),
    ...(opts.device !== undefined ? { device_id: opts.device } : {}),
  });
  if (ctx.json) {
    ctx.out(pretty(created));
  } else {
    ctx.out(created.token);
    ctx.note(`session ${created.session_id} created (expires ${created.expires_at}); its token is shown only this once`);
  }
  return ExitCodes.ok;
}

export async function sessionsRevokeAction(ctx: CommandContext, id: string): Promise<number> {
  const session = await sessionsClient(ctx.client).revoke(id);
  if (ctx.json) ctx.out(pretty(session));
  else ctx.out(`session ${session.session_id} revoked`);
  return ExitCodes.ok;
}

/** The value of `memory set`: JSON unless --string; `-` reads it from stdin. */
async function memoryValue(words: readonly string[], opts: MemoryOptions): Promise<unknown> {
  if (words.length === 0) throw new UsageError('give the value to set (JSON, e.g. 42 or \'{"a": 1}\'; `-` reads stdin)');
  const text = words.length === 1 && words[0] === '-' ? (await readStdin()).replace(/\r?\n$/, '') : words.join(' ');
  if (opts.string === true) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError('the value is not JSON; quote text as JSON (\'"hello"\') or pass --string');
  }
}

export async function sessionsMemoryAction(
  ctx: CommandContext,
  id: string,
  action: string | undefined,
  key: string | undefined,
  words: readonly string[],
  opts: MemoryOptions,
): Promise<number> {
  const client = sessionsClient(ctx.client);
  if (action === undefined || action === 'list') {
    const memory = await client.memory(id);
    ctx.out(
      ctx.json
        ? pretty(memory.entries)
        : formatTable(['KEY', 'UPDATED', 'VALUE'], memory.entries.map((e) => [e.key, e.updated_at, truncate(JSON.stringify(e.value), 80)])),
    );
    return ExitCodes.ok;
  }
  if (key === undefined) throw new UsageError(`give the key to ${action}`);
  if (action === 'get') {
    const entry = await client.getMemory(id, key);
    ctx.out(ctx.json ? pretty(entry) : pretty(entry.value));
  } else if (action === 'set') {
    const entry = await client.setMemory(id, key, await memoryValue(words, opts));
    ctx.out(ctx.json ? pretty(entry) : `${entry.key} set`);
  } else if (action === 'delete') {
    const deleted = await client.deleteMemory(id, key);
    ctx.out(ctx.json ? pretty(deleted) : `${deleted.key} deleted`);
  } else {
    throw new UsageError(`unknown memory action "${action}": use get, set or delete (or nothing to list)`);
  }
  return ExitCodes.ok;
}

export async function sessionsHistoryAction(ctx: CommandContext, id: string, opts: HistoryOptions): Promise<number> {
  const history = await sessionsClient(ctx.client).history(id, opts.limit);
  if (ctx.json) {
    ctx.out(pretty(history.tasks));
    return ExitCodes.ok;
  }
  const text = (v: unknown): string => (v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  ctx.out(
    formatTable(
      ['TASK', 'STATE', 'AGENT', 'CREATED', 'PROMPT', 'RESULT'],
      history.tasks.map((t) => [t.task_id, t.state, t.agent_type, t.created_at, truncate(t.prompt, 40), truncate(t.error ?? text(t.result), 60)]),
    ),
  );
  return ExitCodes.ok;
}
