/** The configuration schema: environment variables and the optional YAML file, resolved once and frozen. */
import { z } from 'zod';

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

const llmCommon = {
  id: agentId,
  name: z.string().optional(),
  description: z.string().optional(),
  model: z.string().min(1),
  system_prompt: z.string().optional(),
  max_attempts: int(1, 100).optional(),
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
  z.object({
    id: agentId,
    kind: z.literal('echo'),
    name: z.string().optional(),
    max_attempts: int(1, 100).optional(),
  }),
  z
    .object({
      id: agentId,
      kind: z.literal('command'),
      name: z.string().optional(),
      description: z.string().optional(),
      // A preset (CLI coding agent) supplies command, prompt_via, stream parser and env names.
      preset: z.enum(['claude-code', 'codex', 'gemini', 'goose', 'aider', 'generic']).optional(),
      command: z.array(z.string().min(1)).min(1).optional(),
      prompt_via: z.enum(['stdin', 'arg']).optional(),
      cwd: z.string().optional(),
      // A local git repository: each task runs in a fresh worktree on branch task/<id>.
      repo: z.string().min(1).refine((p) => !p.startsWith('-'), 'must not start with "-"').optional(),
      env_allow: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
      kill_grace_ms: int(0, 600_000).optional(),
      timeout_ms: int(1, 86_400_000).optional(),
      max_output_bytes: int(1024, 1024 * 1024 * 1024).optional(),
      max_attempts: int(1, 100).optional(),
    })
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
  }),
  z.object({
    ...llmCommon,
    kind: z.literal('ollama'),
    base_url: httpUrl.default('http://127.0.0.1:11434'),
    max_tokens: int(1, 10_000_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
  }),
  z.object({
    id: agentId,
    kind: z.literal('http'),
    name: z.string().optional(),
    description: z.string().optional(),
    api_url: httpUrl,
    headers: headers.optional(),
    timeout_ms: int(1, 86_400_000).optional(),
    max_attempts: int(1, 100).optional(),
  }),
]);
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export const fileConfigSchema = z
  .object({
    agents: z.array(agentConfigSchema).default([]),
    skills_dirs: z.array(z.string()).default([]),
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
  SWITCHBOARD_ADMIN_TOKEN: z.string().optional(),
  SWITCHBOARD_NODE_ID: z.string().min(1).max(100).optional(),
  SWITCHBOARD_CONCURRENCY: int(1, 10_000).default(16),
  SWITCHBOARD_LEASE_MS: int(1000, 3_600_000).default(30_000),
  SWITCHBOARD_RENEW_MS: int(100, 3_600_000).optional(),
  SWITCHBOARD_POLL_MS: int(50, 600_000).default(1000),
  SWITCHBOARD_SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(10_000),
  SWITCHBOARD_BODY_LIMIT: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  SWITCHBOARD_SSE_HEARTBEAT_MS: int(100, 600_000).default(15_000),
  SWITCHBOARD_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SWITCHBOARD_CONFIG: z.string().optional(),
});
export type EnvConfig = z.infer<typeof envSchema>;
