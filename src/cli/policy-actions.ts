/**
 * What `switchboard roles|grant|revoke` and `switchboard policies …` do once their
 * arguments are parsed. A policy comes from flags and/or a JSON or YAML file (wire
 * field names); flags win over the file, and `update` starts from the stored policy.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import { formatTable, truncate } from './format.ts';
import { resolveUser } from './users-actions.ts';
import { explanationView, grantView, policyList, policyView, rolesView, type PolicyView } from '../wire/policy.ts';

/** The fields of a policy a request sends (from flags and/or a file; the server validates them). */
interface PolicyBody {
  id?: string;
  resource_type?: string;
  resource_id?: string;
  permissions?: string[];
  allowed_roles?: string[];
  allowed_users?: string[];
  denied_users?: string[];
  required_permissions?: string[];
  require_trusted_device?: boolean;
  description?: string;
}

/** Flags of `policies create|update`. */
export interface PolicyOptions {
  readonly file?: string;
  readonly resource?: string;
  readonly permission?: string[];
  readonly allowRole?: string[];
  readonly allowUser?: string[];
  readonly denyUser?: string[];
  readonly require?: string[];
  readonly trustedDevice?: boolean;
  readonly description?: string;
}

export interface ExplainOptions {
  readonly user?: string;
  readonly deviceTrust?: string;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);
const path = (id: string): string => `/api/policies/${encodeURIComponent(id)}`;
const FIELDS = new Set(['id', 'resource_type', 'resource_id', 'permissions', 'allowed_roles', 'allowed_users', 'denied_users', 'required_permissions', 'require_trusted_device', 'description']);

async function readPolicyFile(file: string): Promise<PolicyBody> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(`cannot read --file ${file}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  let value: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    value = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON or YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${file} must hold one policy object`);
  const body = value as Record<string, unknown>;
  // A `resource: agent:gpt` shorthand, as on the command line.
  if (typeof body['resource'] === 'string') {
    Object.assign(body, splitResource(body['resource']));
    delete body['resource'];
  }
  const unknown = Object.keys(body).filter((k) => !FIELDS.has(k) && k !== 'created_at' && k !== 'updated_at');
  if (unknown.length > 0) throw new UsageError(`${file}: unknown field ${unknown.join(', ')}`);
  delete body['created_at'];
  delete body['updated_at'];
  return body as PolicyBody;
}

function splitResource(text: string): { resource_type: string; resource_id: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UsageError(`resource must be type:id, e.g. agent:gpt or agent:deploy-* (got ${text})`);
  return { resource_type: text.slice(0, colon), resource_id: text.slice(colon + 1) };
}

/** The body from the file (if any) with the flags on top. */
async function policyBody(opts: PolicyOptions): Promise<PolicyBody> {
  const body: PolicyBody = opts.file === undefined ? {} : await readPolicyFile(opts.file);
  if (opts.resource !== undefined) Object.assign(body, splitResource(opts.resource));
  if (opts.permission !== undefined) body.permissions = opts.permission;
  if (opts.allowRole !== undefined) body.allowed_roles = opts.allowRole;
  if (opts.allowUser !== undefined) body.allowed_users = opts.allowUser;
  if (opts.denyUser !== undefined) body.denied_users = opts.denyUser;
  if (opts.require !== undefined) body.required_permissions = opts.require;
  if (opts.trustedDevice !== undefined) body.require_trusted_device = opts.trustedDevice;
  if (opts.description !== undefined) body.description = opts.description;
  return body;
}

const list = (items: readonly string[]): string => (items.length === 0 ? '-' : items.join(','));

function policyTable(policies: readonly PolicyView[]): string {
  if (policies.length === 0) return 'No policies.';
  return formatTable(
    ['ID', 'RESOURCE', 'PERMISSIONS', 'ALLOW', 'DENY', 'REQUIRES', 'DESCRIPTION'],
    policies.map((p) => [
      p.id,
      `${p.resource_type}:${p.resource_id}`,
      p.permissions.length === 0 ? 'all' : p.permissions.join(','),
      list([...p.allowed_roles.map((r) => `role:${r}`), ...p.allowed_users.map((u) => `user:${u}`)]),
      list(p.denied_users),
      list([...p.required_permissions, ...(p.require_trusted_device ? ['trusted-device'] : [])]),
      truncate(p.description, 60),
    ]),
  );
}

function showPolicy(ctx: CommandContext, p: PolicyView): number {
  if (ctx.json) {
    ctx.out(pretty(p));
    return ExitCodes.ok;
  }
  const rows: [string, string][] = [
    ['Policy', p.id],
    ['Resource', `${p.resource_type}:${p.resource_id}`],
    ['Applies to', p.permissions.length === 0 ? 'every permission' : p.permissions.join(', ')],
    ['Allowed roles', list(p.allowed_roles)],
    ['Allowed users', list(p.allowed_users)],
    ['Denied users', list(p.denied_users)],
    ['Requires', list(p.required_permissions)],
    ['Trusted device', p.require_trusted_device ? 'required' : 'not required'],
    ['Description', p.description || '-'],
    ['Updated', p.updated_at],
  ];
  ctx.out(rows.map(([k, v]) => `${k.padEnd(16)}${v}`).join('\n'));
  return ExitCodes.ok;
}

export async function rolesAction(ctx: CommandContext): Promise<number> {
  const table = await ctx.client.call('GET', '/api/roles', rolesView);
  ctx.out(ctx.json ? pretty(table) : formatTable(['ROLE', 'PERMISSIONS'], table.roles.map((r) => [r.role, r.permissions.join(' ')])));
  return ExitCodes.ok;
}

/** `grant`/`revoke <user> <role-or-permission>`: a name with a colon is a permission (`task:view`), else a role. */
export async function grantAction(ctx: CommandContext, ref: string, what: string, grant: boolean): Promise<number> {
  const userId = await resolveUser(ctx, ref);
  const kind = what.includes(':') ? 'permission' : 'role';
  const base = `/api/users/${encodeURIComponent(userId)}/${kind === 'role' ? 'roles' : 'permissions'}`;
  const res = grant
    ? await ctx.client.call('POST', base, grantView, { [kind]: what })
    : await ctx.client.call('DELETE', `${base}/${encodeURIComponent(what)}`, grantView);
  if (ctx.json) ctx.out(pretty(res));
  else if (!res.changed) ctx.out(`${res.user.username} ${grant ? 'already has' : 'does not have'} ${kind} ${what}; nothing changed`);
  else ctx.out(`${grant ? 'granted' : 'revoked'} ${kind} ${what} ${grant ? 'to' : 'from'} ${res.user.username}`);
  return ExitCodes.ok;
}

export async function policiesListAction(ctx: CommandContext): Promise<number> {
  const { policies } = await ctx.client.call('GET', '/api/policies', policyList);
  ctx.out(ctx.json ? pretty(policies) : policyTable(policies));
  return ExitCodes.ok;
}

export async function policiesShowAction(ctx: CommandContext, id: string): Promise<number> {
  return showPolicy(ctx, await ctx.client.call('GET', path(id), policyView));
}

export async function policiesCreateAction(ctx: CommandContext, id: string | undefined, opts: PolicyOptions): Promise<number> {
  const body = await policyBody(opts);
  if (id !== undefined) body.id = id;
  if (body.resource_type === undefined || body.resource_id === undefined) throw new UsageError('give --resource type:id (or resource_type and resource_id in --file)');
  return showPolicy(ctx, await ctx.client.call('POST', '/api/policies', policyView, body));
}

export async function policiesUpdateAction(ctx: CommandContext, id: string, opts: PolicyOptions): Promise<number> {
  const changes = await policyBody(opts);
  if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --file or at least one rule flag');
  if (changes.id !== undefined && changes.id !== id) throw new UsageError(`the file is for policy ${changes.id}, not ${id}`);
  const { id: _id, created_at: _c, updated_at: _u, ...current } = await ctx.client.call('GET', path(id), policyView);
  const { id: _ignored, ...rest } = changes;
  return showPolicy(ctx, await ctx.client.call('PUT', path(id), policyView, { ...current, ...rest }));
}

export async function policiesDeleteAction(ctx: CommandContext, id: string): Promise<number> {
  const deleted = await ctx.client.call('DELETE', path(id), policyView);
  if (ctx.json) ctx.out(pretty(deleted));
  else ctx.out(`policy ${deleted.id} (${deleted.resource_type}:${deleted.resource_id}) deleted`);
  return ExitCodes.ok;
}

export async function policiesExplainAction(ctx: CommandContext, permission: string, resource: string | undefined, opts: ExplainOptions): Promise<number> {
  const body = {
    permission,
    ...(resource !== undefined ? { resource } : {}),
    ...(opts.user !== undefined ? { user_id: opts.user } : {}),
    ...(opts.deviceTrust !== undefined ? { device_trust: opts.deviceTrust } : {}),
  };
  const e = await ctx.client.call('POST', '/api/policies/explain', explanationView, body);
  if (ctx.json) {
    ctx.out(pretty(e));
    return ExitCodes.ok;
  }
  const target = e.resource === null ? permission : `${permission} on ${e.resource}`;
  const lines = [`${e.allowed ? 'ALLOWED' : 'DENIED'}: ${target} for user ${e.user_id}`, `rule:   ${e.rule}`, `reason: ${e.reason}`, 'steps:'];
  e.steps.forEach((s, i) => lines.push(`  ${i + 1}. [${s.outcome}] ${s.rule}: ${s.detail}`));
  ctx.out(lines.join('\n'));
  return ExitCodes.ok;
}
