/**
 * What `switchboard agents show|set|delete|check` and `switchboard worktree remove`
 * do once their arguments are parsed. `set` reads an agent's definition from a YAML
 * or JSON file (the shape of one entry of `agents:` in switchboard.config.yaml) and
 * lets flags override fields; secrets stay `env:` references.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ExitCodes, UsageError } from './cli-errors.ts';
import type { CommandContext } from './actions.ts';
import type { AgentDefinitionView } from '../wire/agent.ts';
import { readStdin } from './input.ts';

export interface AgentSetOptions {
  readonly file?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly description?: string;
  readonly model?: string;
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly preset?: string;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly skill?: string[];
  readonly capability?: string[];
}

export interface WorktreeRemoveOptions {
  readonly deleteBranch?: boolean;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

function describe(a: AgentDefinitionView): string {
  const lines = [
    `Agent:     ${a.agent_type} (${a.kind}, ${a.source}${a.read_only ? ', read-only' : ''})`,
    `Available: ${a.available ? 'yes' : 'no'}${a.unavailable_reason !== null ? ` (${a.unavailable_reason})` : ''}${a.checked_at !== null ? `, checked ${a.checked_at}` : ''}`,
  ];
  if (a.updated_at !== null) lines.push(`Updated:   ${a.updated_at}${a.updated_by !== null ? ` by ${a.updated_by}` : ''}`);
  if (a.config !== null) lines.push('Config:', ...stringifyYaml(a.config).trimEnd().split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}

async function readDefinition(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid YAML or JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${file} must hold one agent definition (a mapping such as "kind: openai")`);
  }
  return value as Record<string, unknown>;
}

export async function agentsShowAction(ctx: CommandContext, id: string): Promise<number> {
  const agent = await ctx.client.getAgent(id);
  ctx.out(ctx.json ? pretty(agent) : describe(agent));
  return ExitCodes.ok;
}

export async function agentsSetAction(ctx: CommandContext, id: string, opts: AgentSetOptions): Promise<number> {
  const config: Record<string, unknown> = opts.file !== undefined ? await readDefinition(opts.file) : {};
  const flags: Record<string, unknown> = {
    kind: opts.kind,
    name: opts.name,
    description: opts.description,
    model: opts.model,
    base_url: opts.baseUrl,
    api_key: opts.apiKey,
    preset: opts.preset,
    concurrency: opts.concurrency,
    timeout_ms: opts.timeoutMs,
    max_attempts: opts.maxAttempts,
    skills: opts.skill,
    capabilities: opts.capability,
  };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) config[k] = v;
  if (config['kind'] === undefined) throw new UsageError('give the kind (--kind or kind: in --file)');
  const agent = await ctx.client.putAgent(id, config);
  if (ctx.json) ctx.out(pretty(agent));
  else {
    ctx.out(`Agent ${agent.agent_type} saved (${agent.kind}).`);
    ctx.out(`Available: ${agent.available ? 'yes' : `no${agent.unavailable_reason !== null ? ` (${agent.unavailable_reason})` : ''}`}`);
  }
  return ExitCodes.ok;
}

export async function agentsDeleteAction(ctx: CommandContext, id: string): Promise<number> {
  const agent = await ctx.client.deleteAgent(id);
  ctx.out(ctx.json ? pretty(agent) : `Agent ${agent.agent_type} deleted.`);
  return ExitCodes.ok;
}

/** Exit 0 when the agent can run, 1 when it cannot (scripts can test it). */
export async function agentsCheckAction(ctx: CommandContext, id: string): Promise<number> {
  const agent = await ctx.client.checkAgent(id);
  if (ctx.json) ctx.out(pretty(agent));
  else ctx.out(`${agent.agent_type}: ${agent.available ? 'available' : `unavailable${agent.unavailable_reason !== null ? ` (${agent.unavailable_reason})` : ''}`}`);
  return agent.available ? ExitCodes.ok : ExitCodes.failure;
}

export async function worktreeRemoveAction(ctx: CommandContext, taskId: string, opts: WorktreeRemoveOptions): Promise<number> {
  const removed = await ctx.client.removeWorktree(taskId, opts.deleteBranch === true);
  if (ctx.json) ctx.out(pretty(removed));
  else ctx.out(`Removed the worktree of task ${removed.task_id}; branch ${removed.branch} ${removed.branch_deleted ? 'deleted' : 'kept'}.`);
  return ExitCodes.ok;
}
