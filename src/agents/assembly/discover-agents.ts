/**
 * Zero-config agents, for a server whose config file defines none (like the old
 * `.env` did): a command agent per coding CLI on PATH, Ollama if it answers on its
 * address (OLLAMA_HOST, default 127.0.0.1:11434) with its first model, `claude`
 * (Anthropic) and `gpt` (OpenAI-compatible) when their keys are in the environment.
 * Keys stay `env:` references; only names and kinds are logged.
 */
import { agentConfigSchema, type AgentConfig } from '../../config/schema.ts';
import { findOnPath } from '../command/presets.ts';
import type { Logger } from '../../core/ports/logger.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Program on PATH → agent id and preset. */
const CLIS = [
  { program: 'claude', id: 'claude-code', preset: 'claude-code' },
  { program: 'codex', id: 'codex', preset: 'codex' },
  { program: 'gemini', id: 'gemini', preset: 'gemini' },
  { program: 'goose', id: 'goose', preset: 'goose' },
  { program: 'aider', id: 'aider', preset: 'aider' },
] as const;

const OLLAMA_PROBE_MS = 1500;

/** The Ollama base URL from OLLAMA_HOST (`host`, `host:port` or a URL), read as Ollama reads it. */
export function ollamaBaseUrl(host: string | undefined): string {
  const raw = host === undefined || host.trim() === '' ? '127.0.0.1:11434' : host.trim();
  const hasScheme = /^https?:\/\//.test(raw);
  try {
    const u = new URL(hasScheme ? raw : `http://${raw}`);
    // Like Ollama: a bare host gets port 11434; with a scheme, that scheme's default port.
    if (!hasScheme && u.port === '' && !/:\d+\/?$/.test(raw)) u.port = '11434';
    if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1'; // a listen address, not one to call
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'http://127.0.0.1:11434';
  }
}

/** The first model an Ollama server lists, or undefined when it does not answer (or lists none). */
async function firstOllamaModel(baseUrl: string): Promise<{ answered: boolean; model?: string }> {
  try {
    const res = await fetch(`${baseUrl}/api/tags`, { signal: AbortSignal.timeout(OLLAMA_PROBE_MS) });
    if (!res.ok) return { answered: false };
    const body = (await res.json()) as { models?: { name?: unknown; model?: unknown }[] };
    const first = body.models?.[0];
    const name = typeof first?.name === 'string' ? first.name : typeof first?.model === 'string' ? first.model : undefined;
    return name === undefined ? { answered: true } : { answered: true, model: name };
  } catch {
    return { answered: false };
  }
}

const isSet = (env: Env, name: string): boolean => (env[name] ?? '') !== '';

/** The agents found on this machine, validated like configured ones (echo is added by the registry). */
export async function discoverAgents(env: Env, logger: Logger): Promise<AgentConfig[]> {
  const candidates: Record<string, unknown>[] = [];
  const found = await Promise.all(CLIS.map(async (c) => ((await findOnPath(c.program, env['PATH'])) ? c : undefined)));
  for (const c of found) if (c !== undefined) candidates.push({ id: c.id, kind: 'command', preset: c.preset });

  const ollama = ollamaBaseUrl(env['OLLAMA_HOST']);
  const tags = await firstOllamaModel(ollama);
  if (tags.model !== undefined) candidates.push({ id: 'ollama', kind: 'ollama', base_url: ollama, model: tags.model });
  else if (tags.answered) logger.info({ base_url: ollama }, 'Ollama answers but lists no models; no ollama agent');

  if (isSet(env, 'ANTHROPIC_API_KEY')) {
    candidates.push({
      id: 'claude',
      kind: 'anthropic',
      model: env['ANTHROPIC_MODEL'] || 'claude-sonnet-4-5',
      api_key: 'env:ANTHROPIC_API_KEY',
      ...(isSet(env, 'ANTHROPIC_BASE_URL') ? { base_url: env['ANTHROPIC_BASE_URL'] } : {}),
    });
  }
  if (isSet(env, 'OPENAI_API_KEY')) {
    candidates.push({
      id: 'gpt',
      kind: 'openai',
      model: env['OPENAI_MODEL'] || 'gpt-4o-mini',
      api_key: 'env:OPENAI_API_KEY',
      ...(isSet(env, 'OPENAI_BASE_URL') ? { base_url: env['OPENAI_BASE_URL'] } : {}),
    });
  }

  const agents: AgentConfig[] = [];
  for (const c of candidates) {
    const parsed = agentConfigSchema.safeParse(c);
    if (parsed.success) agents.push(parsed.data);
    else logger.warn({ agent: c['id'], issue: parsed.error.issues[0]?.message }, 'a discovered agent is not usable; skipped');
  }
  logger.info(
    { agents: agents.map((a) => ({ id: a.id, kind: a.kind, ...(a.kind === 'command' ? { preset: a.preset ?? null } : {}) })) },
    agents.length === 0 ? 'no agents discovered (echo only)' : `discovered ${agents.length} agent(s)`,
  );
  return agents;
}
