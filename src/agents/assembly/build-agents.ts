/**
 * Builds agent adapters from configuration; `echo` is always there unless the config
 * redefines it. Secrets given as `env:NAME` references are resolved here, once, from
 * the environment; a reference to an unset variable leaves that agent unavailable.
 * The fields every kind shares (name, description, capabilities, retry, skills) are
 * applied on top of the kind's adapter; concurrency and (for kinds without their
 * own) the time limit are enforced by the registry.
 */
import type { AgentAdapter, RetryPolicy } from '../../core/ports/agent-adapter.ts';
import { ENV_REF, HEADER_ENV_REF, type AgentConfig } from '../../config/schema.ts';
import { createEchoAgent } from '../echo/echo-agent.ts';
import { createCommandAgent, DEFAULT_ENV, type PrepareWorkdir } from '../command/command-agent.ts';
import { PRESETS } from '../command/presets.ts';
import { createTaskWorktree } from '../../integrations/github/worktree.ts';
import { createOpenAiAgent } from '../openai/openai-agent.ts';
import { createAnthropicAgent } from '../anthropic/anthropic-agent.ts';
import { createOllamaAgent } from '../ollama/ollama-agent.ts';
import { createHttpAgent } from '../http/http-agent.ts';
import type { LlmAgentOptions } from '../llm/llm-agent-options.ts';
import type { BuiltAgent } from '../registry/mutable-registry.ts';
import { httpProbe, llmProbe } from './agent-probes.ts';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export interface BuildAgentsOptions {
  /** The server's data dir: command agents with a `repo` put task worktrees in `<dataDir>/worktrees`. */
  readonly dataDir?: string;
  /**
   * The worktree of the board task a runtime task belongs to (its project's clone,
   * branch `task/<key>`), undefined for other tasks: a command agent runs there first.
   */
  readonly boardWorkdir?: PrepareWorkdir;
}

/** One adapter per configured agent, plus `echo`; `env` supplies the values of `env:` references. */
export function buildAgents(configs: readonly AgentConfig[], env: Env = process.env, options: BuildAgentsOptions = {}): AgentAdapter[] {
  const agents = configs.map((c) => buildAgent(c, env, options).adapter);
  if (!agents.some((a) => a.info.agentType === 'echo')) agents.unshift(createEchoAgent());
  return agents;
}

/** One agent with its availability probe and limits. */
export function buildAgent(c: AgentConfig, env: Env = process.env, options: BuildAgentsOptions = {}): BuiltAgent {
  const { adapter, probe, ownTimeout } = buildKind(c, env, options);
  const built = withCommonFields(adapter, c);
  return {
    adapter: built,
    probe,
    ...(c.concurrency !== undefined ? { concurrency: c.concurrency } : {}),
    ...(c.timeout_ms !== undefined && !ownTimeout ? { timeoutMs: c.timeout_ms } : {}),
  };
}

function buildKind(c: AgentConfig, env: Env, options: BuildAgentsOptions): { adapter: AgentAdapter; probe: BuiltAgent['probe']; ownTimeout: boolean } {
  const own = (adapter: AgentAdapter, ownTimeout = false) => ({ adapter, probe: ownProbe(adapter), ownTimeout });
  switch (c.kind) {
    case 'echo': {
      const echo = createEchoAgent();
      return own(c.id === 'echo' ? echo : { ...echo, info: { ...echo.info, agentType: c.id, name: c.id } });
    }
    case 'command':
      return own(commandAgent(c, options.dataDir, env, options.boardWorkdir), true);
    case 'openai': {
      const o = llmOptions(c, env);
      const adapter = createOpenAiAgent({ ...o, ...(c.temperature !== undefined ? { temperature: c.temperature } : {}) });
      return { adapter, probe: llmProbe(adapter, `${c.base_url.replace(/\/+$/, '')}/models`, o.apiKey === undefined ? {} : { authorization: `Bearer ${o.apiKey}` }), ownTimeout: false };
    }
    case 'anthropic': {
      const o = llmOptions(c, env);
      const adapter = createAnthropicAgent({ ...o, ...(c.temperature !== undefined ? { temperature: c.temperature } : {}) });
      const headers: Record<string, string> = { 'anthropic-version': '2023-06-01', ...(o.apiKey !== undefined ? { 'x-api-key': o.apiKey } : {}) };
      return { adapter, probe: llmProbe(adapter, `${c.base_url.replace(/\/+$/, '')}/v1/models`, headers), ownTimeout: false };
    }
    case 'ollama': {
      const adapter = createOllamaAgent({ ...llmOptions(c, env), ...(c.temperature !== undefined ? { temperature: c.temperature } : {}) });
      return { adapter, probe: llmProbe(adapter, `${c.base_url.replace(/\/+$/, '')}/api/tags`, {}), ownTimeout: false };
    }
    case 'http': {
      const headers: Record<string, string> = {};
      const missing: string[] = [];
      for (const [name, value] of Object.entries(c.headers ?? {})) {
        const ref = HEADER_ENV_REF.exec(value);
        const resolved = ref ? resolveVar(ref[2] ?? '', env) : value;
        if (ref && resolved === undefined) missing.push(ref[2] ?? '');
        else headers[name] = ref ? `${ref[1] ?? ''}${resolved}` : value;
      }
      const adapter = createHttpAgent({
        id: c.id,
        apiUrl: c.api_url,
        headers,
        missingVariables: missing,
        ...(c.timeout_ms !== undefined ? { timeoutMs: c.timeout_ms } : {}),
      });
      return { adapter, probe: httpProbe(c.api_url, headers, missing), ownTimeout: true };
    }
    default: {
      const never: never = c;
      throw new Error(`Unknown agent kind in ${JSON.stringify(never)}`);
    }
  }
}

/** Availability of kinds that need no network check: the adapter's own answer. */
function ownProbe(adapter: AgentAdapter): BuiltAgent['probe'] {
  return async () => {
    const available = await adapter.isAvailable();
    return { available, reason: available ? null : 'not runnable here (program not found on PATH?)' };
  };
}

/** name, description, capabilities, retry and skills from the config, over the kind's defaults. */
function withCommonFields(adapter: AgentAdapter, c: AgentConfig): AgentAdapter {
  const maxAttempts = c.retry?.max_attempts ?? c.max_attempts;
  const retry: RetryPolicy = {
    maxAttempts: maxAttempts ?? adapter.retry.maxAttempts,
    backoffMs: c.retry?.backoff_ms ?? adapter.retry.backoffMs,
  };
  const skills = c.skills === undefined ? adapter.allowedSkills : c.skills === '*' ? ['*'] : [...c.skills];
  return {
    info: {
      ...adapter.info,
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(c.capabilities !== undefined ? { capabilities: [...c.capabilities] } : {}),
    },
    retry,
    ...(skills !== undefined ? { allowedSkills: skills } : {}),
    isAvailable: () => adapter.isAvailable(),
    run: (ctx) => adapter.run(ctx),
  };
}

type CommandConfig = Extract<AgentConfig, { kind: 'command' }>;

/** A command agent from its config: a preset's command, prompt placement, parser and env names, then the config's own. */
function commandAgent(c: CommandConfig, dataDir: string | undefined, env: Env, boardWorkdir: PrepareWorkdir | undefined): AgentAdapter {
  const preset = PRESETS[c.preset ?? 'generic'];
  const command = c.command ?? preset.command;
  if (command === undefined) throw new Error(`Agent "${c.id}": command is required`);
  let ownWorkdir: PrepareWorkdir | undefined;
  if (c.repo !== undefined) {
    if (dataDir === undefined) throw new Error(`Agent "${c.id}": a repo needs the data dir for its worktrees`);
    const repo = c.repo;
    const root = join(dataDir, 'worktrees');
    ownWorkdir = async (taskId) => {
      const wt = await createTaskWorktree(repo, root, taskId);
      return { cwd: wt.path, metadata: { worktree: wt.path, branch: wt.branch } };
    };
  }
  const board = boardWorkdir;
  const prepareWorkdir: PrepareWorkdir | undefined =
    board === undefined ? ownWorkdir : async (taskId) => (await board(taskId)) ?? (await ownWorkdir?.(taskId));
  return createCommandAgent({
    id: c.id,
    command,
    promptVia: c.prompt_via ?? preset.promptVia,
    parser: preset.parser,
    envAllow: [...new Set([...(c.env_allow ?? DEFAULT_ENV), ...preset.envAllow])],
    description: preset.description,
    metadata: { preset: preset.id },
    environment: env,
    ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
    ...(c.kill_grace_ms !== undefined ? { killGraceMs: c.kill_grace_ms } : {}),
    ...(c.timeout_ms !== undefined ? { timeoutMs: c.timeout_ms } : {}),
    ...(c.max_output_bytes !== undefined ? { maxOutputBytes: c.max_output_bytes } : {}),
    ...(prepareWorkdir !== undefined ? { prepareWorkdir } : {}),
  });
}

// An empty variable counts as unset: an empty key only produces confusing 401s.
function resolveVar(name: string, env: Env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

type LlmConfig = Extract<AgentConfig, { kind: 'openai' | 'anthropic' | 'ollama' }>;

function llmOptions(c: LlmConfig, env: Env): LlmAgentOptions {
  const apiKeyRef = 'api_key' in c ? c.api_key : undefined;
  const apiKey = apiKeyRef !== undefined ? resolveVar(ENV_REF.exec(apiKeyRef)?.[1] ?? '', env) : undefined;
  return {
    id: c.id,
    baseUrl: c.base_url,
    model: c.model,
    ...(apiKeyRef !== undefined ? { apiKeyRef } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(c.system_prompt !== undefined ? { systemPrompt: c.system_prompt } : {}),
    ...(c.max_tokens !== undefined ? { maxTokens: c.max_tokens } : {}),
    ...(c.pricing !== undefined ? { pricing: { inputPerMillion: c.pricing.input_per_million, outputPerMillion: c.pricing.output_per_million } } : {}),
  };
}
