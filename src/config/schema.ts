/** The configuration schema: environment variables and the optional YAML file, resolved once and frozen. */
import { z } from 'zod';
import { sessionEnvShape, sessionFileShape } from './session-config.ts';
import { telegramEnvShape } from './telegram-config.ts';
import { wsEnvShape } from './ws-config.ts';

/** A decimal integer from an environment string; an empty value counts as unset. */
const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'must be a whole number' }).int().min(min).max(max),
  );

const agentId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _ (max 64)');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** `env:NAME`: a secret named by its environment variable, resolved when agents are built. */
export const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
/** A header value ending in `env:NAME` (e.g. `Bearer env:GOOSE_TOKEN`): the reference is replaced by the variable. */
export const HEADER_ENV_REF = /^(.*?)env:([A-Za-z_][A-Za-z0-9_]*)$/;
// Header names that carry credentials; their values must be references, never literals.
const SECRET_HEADER = /authorization|cookie|token|secret|key|password/i;

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

const envRef = z
  .string()
  .regex(ENV_REF, 'must name an environment variable, like env:OPENAI_API_KEY; a literal key does not belong in the config file');

/** Fields every agent kind accepts: identity, what it offers, and how the runtime drives it. */
const common = {
  id: agentId,
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  capabilities: z.array(z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, 'lowercase words, e.g. code_generation')).max(50).optional(),
  /** Shorthand of retry.max_attempts (kept from the first config format). */
  max_attempts: int(1, 100).optional(),
  retry: z
    .object({ max_attempts: int(1, 100).optional(), backoff_ms: int(0, 3_600_000).optional() })
    .strict()
    .optional(),
  /** Tasks of this agent running at once on one node. */
  concurrency: int(1, 10_000).optional(),
  timeout_ms: int(1, 86_400_000).optional(),
  /** Skills the agent may use as tools: ids, or '*' for all. */
  skills: z.union([z.literal('*'), z.array(z.string().regex(/^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,127})$/, "a skill id or '*'")).max(500)]).optional(),
};

const llmCommon = {
  ...common,
  model: z.string().min(1),
  system_prompt: z.string().optional(),
  /** Prices in USD per million tokens: the task's metadata then carries `cost_usd`. */
  pricing: z.object({ input_per_million: z.number().nonnegative(), output_per_million: z.number().nonnegative() }).strict().optional(),
};

const headers = z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid header name'), z.string()).superRefine((h, ctx) => {
  for (const [name, value] of Object.entries(h)) {
    if (SECRET_HEADER.test(name) && !HEADER_ENV_REF.test(value)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'credentials must be an env: reference (e.g. "Bearer env:AGENT_TOKEN"), not a literal value',
      });
    }
  }
});

/** Agents defined in switchboard.config.yaml, by kind. */
export const agentConfigSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('echo') }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('command'),
      // A preset (CLI coding agent) supplies command, prompt_via, stream parser and env names.
      preset: z.enum(['claude-code', 'codex', 'gemini', 'goose', 'aider', 'generic']).optional(),
      command: z.array(z.string().min(1)).min(1).optional(),
      prompt_via: z.enum(['stdin', 'arg']).optional(),
      cwd: z.string().optional(),
      // A local git repository: each task runs in a fresh worktree on branch task/<id>.
      repo: z.string().min(1).refine((p) => !p.startsWith('-'), 'must not start with "-"').optional(),
      env_allow: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
      kill_grace_ms: int(0, 600_000).optional(),
      max_output_bytes: int(1024, 1024 * 1024 * 1024).optional(),
    })
    .strict()
    .refine((c) => c.command !== undefined || (c.preset !== undefined && c.preset !== 'generic'), {
      path: ['command'],
      message: 'is required unless a preset other than generic is given',
    }),
  z
    .object({
      ...llmCommon,
      kind: z.literal('openai'),
      base_url: httpUrl.default('https://api.openai.com/v1'),
      // Optional: local OpenAI-compatible servers (llama.cpp, vLLM, LM Studio) often need none.
      api_key: envRef.optional(),
      max_tokens: int(1, 10_000_000).optional(),
      temperature: z.number().min(0).max(2).optional(),
    })
    .strict()
    // Zod runs this even when base_url failed its own check, so the URL is parsed defensively.
    .refine((c) => c.api_key !== undefined || hostOf(c.base_url) !== 'api.openai.com', {
      path: ['api_key'],
      message: 'is required for api.openai.com (e.g. api_key: env:OPENAI_API_KEY)',
    }),
  z.object({
    ...llmCommon,
    kind: z.literal('anthropic'),
    base_url: httpUrl.default('https://api.anthropic.com'),
    api_key: envRef,
    max_tokens: int(1, 10_000_000).default(1024),
    temperature: z.number().min(0).max(1).optional(),
  }).strict(),
  z.object({
    ...llmCommon,
    kind: z.literal('ollama'),
    base_url: httpUrl.default('http://127.0.0.1:11434'),
    max_tokens: int(1, 10_000_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
  }).strict(),
  z.object({
    ...common,
    kind: z.literal('http'),
    api_url: httpUrl,
    headers: headers.optional(),
  }).strict(),
]);
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export const fileConfigSchema = z
  .object({
    agents: z.array(agentConfigSchema).default([]),
    skills_dirs: z.array(z.string()).default([]),
    /** Device pairing: may owners approve their own devices (default: only admin:users)? */
    devices: z.object({ owner_approval: z.boolean().default(false) }).strict().optional(),
    /** Session lifetimes and failed-login limits (`sessions: {idle_ms, max_ms}`, `login: {…}`). */
    ...sessionFileShape,
  })
  .strict();
export type FileConfig = z.infer<typeof fileConfigSchema>;

/** Environment variables (names as documented in the README). */
export const envSchema = z.object({
  PORT: int(0, 65535).default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SWITCHBOARD_DATA_DIR: z.string().min(1).default('./.switchboard'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  SWITCHBOARD_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  /** SQLite's flush on commit: `full` (power-loss safe, the default) or `normal` (process-crash safe; see docs/durability.md). */
  SWITCHBOARD_SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).default('full'),
  SWITCHBOARD_ADMIN_TOKEN: z.string().optional(),
  GITHUB_TOKEN: z.string().optional(),
  GITHUB_API_URL: z.string().url().optional(),
  SWITCHBOARD_NODE_ID: z.string().min(1).max(100).optional(),
  SWITCHBOARD_CONCURRENCY: int(1, 10_000).default(16),
  SWITCHBOARD_LEASE_MS: int(1000, 3_600_000).default(30_000),
  SWITCHBOARD_RENEW_MS: int(100, 3_600_000).optional(),
  SWITCHBOARD_POLL_MS: int(50, 600_000).default(1000),
  SWITCHBOARD_SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(10_000),
  SWITCHBOARD_DRAIN_MS: int(0, 600_000).default(0),
  // Where browsers reach the server when that is not its own address (a TLS-terminating proxy): comma-separated origins.
  SWITCHBOARD_PUBLIC_ORIGINS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const out: string[] = [];
      for (const item of v.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
        let url: URL | undefined;
        try {
          url = new URL(item);
        } catch {
          url = undefined;
        }
        if (url === undefined || !/^https?:$/.test(url.protocol) || url.origin !== item.replace(/\/+$/, '')) {
          ctx.addIssue({ code: 'custom', message: `${item.slice(0, 100)} is not an origin such as https://switchboard.example.com` });
          return z.NEVER;
        }
        out.push(url.origin);
      }
      return out;
    }),
  SWITCHBOARD_BODY_LIMIT: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  SWITCHBOARD_SKILL_UPLOAD_LIMIT: int(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  SWITCHBOARD_SKILL_MAX_FILES: int(1, 1_000_000).default(2000),
  SWITCHBOARD_SKILL_MAX_BYTES: int(1024, 64 * 1024 * 1024 * 1024).default(50 * 1024 * 1024),
  SWITCHBOARD_SKILL_GIT_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  SWITCHBOARD_SSE_HEARTBEAT_MS: int(100, 600_000).default(15_000),
  SWITCHBOARD_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SWITCHBOARD_CONFIG: z.string().optional(),
  ...sessionEnvShape,
  ...telegramEnvShape,
  ...wsEnvShape,
  SWITCHBOARD_DEVICE_OWNER_APPROVAL: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional()),
  /** 0: no zero-config agent discovery when the config file defines no agents. */
  SWITCHBOARD_DISCOVER: z.enum(['0', '1']).default('1'),
  /** How often database-defined agents are re-read (changes made on other nodes). */
  SWITCHBOARD_AGENT_RELOAD_MS: int(100, 3_600_000).default(5000),
  /** How often every agent's availability is re-checked. */
  SWITCHBOARD_AGENT_CHECK_MS: int(1000, 86_400_000).default(60_000),
  /** Remote worker nodes: how long a dropped node's runs wait for it to reconnect. */
  SWITCHBOARD_NODE_GRACE_MS: int(100, 3_600_000).default(15_000),
  SWITCHBOARD_NODE_HEARTBEAT_MS: int(50, 600_000).default(5_000),
  /** Attempts of a task on remote agents (`agent@node`, `agent@*`): a lost node costs one. */
  SWITCHBOARD_NODE_MAX_ATTEMPTS: int(1, 100).default(3),
  SWITCHBOARD_NODE_RETRY_BACKOFF_MS: int(0, 3_600_000).default(1_000),
});
export type EnvConfig = z.infer<typeof envSchema>;
