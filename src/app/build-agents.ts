/**
 * Builds agent adapters from configuration; `echo` is always there unless the config
 * redefines it. Secrets given as `env:NAME` references are resolved here, once, from
 * the environment; a reference to an unset variable leaves that agent unavailable.
 */
import type { AgentAdapter, RetryPolicy } from '../core/ports.ts';
import { ENV_REF, HEADER_ENV_REF, type AgentConfig } from '../config/schema.ts';
import { createEchoAgent } from '../agents/echo/echo-agent.ts';
import { createCommandAgent, DEFAULT_ENV, type PrepareWorkdir } from '../agents/command/command-agent.ts';
import { PRESETS } from '../agents/command/presets.ts';
import { createTaskWorktree } from '../integrations/github/worktree.ts';
import { createOpenAiAgent } from '../agents/openai/openai-agent.ts';
import { createAnthropicAgent } from '../agents/anthropic/anthropic-agent.ts';
import { createOllamaAgent } from '../agents/ollama/ollama-agent.ts';
import { createHttpAgent } from '../agents/http/http-agent.ts';
import type { LlmAgentOptions } from '../agents/llm/llm-agent-options.ts';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export interface BuildAgentsOptions {
  /** The server's data dir: command agents with a `repo` put task worktrees in `<dataDir>/worktrees`. */
  readonly dataDir?: string;
}

/** One adapter per configured agent, plus `echo`; `env` supplies the values of `env:` references. */
export function buildAgents(configs: readonly AgentConfig[], env: Env = process.env, options: BuildAgentsOptions = {}): AgentAdapter[] {
  const agents = configs.map((c): AgentAdapter => {
    switch (c.kind) {
      case 'echo':
        return c.id === 'echo'
          ? createEchoAgent({ ...(c.max_attempts ? { maxAttempts: c.max_attempts } : {}) })
          : renamed(createEchoAgent({ ...(c.max_attempts ? { maxAttempts: c.max_attempts } : {}) }), c.id, c.name);
      case 'command':
        return commandAgent(c, options.dataDir);
      case 'openai':
        return createOpenAiAgent({ ...llmOptions(c, env), ...(c.temperature !== undefined ? { temperature: c.temperature } : {}) });
      case 'anthropic':
        return createAnthropicAgent({ ...llmOptions(c, env), ...(c.temperature !== undefined ? { temperature: c.temperature } : {}) });
      case 'ollama':
        return createOllamaAgent({ ...llmOptions(c, env), ...(c.temperature !== undefined ? { temperature: c.temperature } : {}) });
      case 'http': {
        const headers: Record<string, string> = {};
        const missing: string[] = [];
        for (const [name, value] of Object.entries(c.headers ?? {})) {
          const ref = HEADER_ENV_REF.exec(value);
          const resolved = ref ? resolveVar(ref[2] ?? '', env) : value;
          if (ref && resolved === undefined) missing.push(ref[2] ?? '');
          else headers[name] = ref ? `${ref[1] ?? ''}${resolved}` : value;
        }
        return createHttpAgent({
          id: c.id,
          apiUrl: c.api_url,
          headers,
          missingVariables: missing,
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.description !== undefined ? { description: c.description } : {}),
          ...(c.timeout_ms !== undefined ? { timeoutMs: c.timeout_ms } : {}),
          ...retryOf(c.max_attempts),
        });
      }
      default: {
        const never: never = c;
        throw new Error(`Unknown agent kind in ${JSON.stringify(never)}`);
      }
    }
  });
  if (!agents.some((a) => a.info.agentType === 'echo')) agents.unshift(createEchoAgent());
  return agents;
}

type CommandConfig = Extract<AgentConfig, { kind: 'command' }>;

/** A command agent from its config: a preset's command, prompt placement, parser and env names, then the config's own. */
function commandAgent(c: CommandConfig, dataDir: string | undefined): AgentAdapter {
  const preset = PRESETS[c.preset ?? 'generic'];
  const command = c.command ?? preset.command;
  if (command === undefined) throw new Error(`Agent "${c.id}": command is required`);
  let prepareWorkdir: PrepareWorkdir | undefined;
  if (c.repo !== undefined) {
    if (dataDir === undefined) throw new Error(`Agent "${c.id}": a repo needs the data dir for its worktrees`);
    const repo = c.repo;
    const root = join(dataDir, 'worktrees');
    prepareWorkdir = async (taskId) => {
      const wt = await createTaskWorktree(repo, root, taskId);
      return { cwd: wt.path, metadata: { worktree: wt.path, branch: wt.branch } };
    };
  }
  return createCommandAgent({
    id: c.id,
    command,
    promptVia: c.prompt_via ?? preset.promptVia,
    parser: preset.parser,
    envAllow: [...new Set([...(c.env_allow ?? DEFAULT_ENV), ...preset.envAllow])],
    description: c.description ?? preset.description,
    metadata: { preset: preset.id },
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
    ...(c.kill_grace_ms !== undefined ? { killGraceMs: c.kill_grace_ms } : {}),
    ...(c.timeout_ms !== undefined ? { timeoutMs: c.timeout_ms } : {}),
    ...(c.max_output_bytes !== undefined ? { maxOutputBytes: c.max_output_bytes } : {}),
    ...(prepareWorkdir !== undefined ? { prepareWorkdir } : {}),
    ...retryOf(c.max_attempts),
  });
}

function renamed(agent: AgentAdapter, id: string, name: string | undefined): AgentAdapter {
  return { ...agent, info: { ...agent.info, agentType: id, name: name ?? id } };
}

function retryOf(maxAttempts: number | undefined): { retry?: RetryPolicy } {
  return maxAttempts !== undefined ? { retry: { maxAttempts, backoffMs: 1000 } } : {};
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
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.system_prompt !== undefined ? { systemPrompt: c.system_prompt } : {}),
    ...(c.max_tokens !== undefined ? { maxTokens: c.max_tokens } : {}),
    ...retryOf(c.max_attempts),
  };
}
