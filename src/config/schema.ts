/** The configuration schema: environment variables and the optional YAML file, resolved once and frozen. */
import { z } from 'zod';

/** A decimal integer from an environment string; an empty value counts as unset. */
const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'must be a whole number' }).int().min(min).max(max),
  );

/** Agents defined in switchboard.config.yaml. Kinds other than these arrive with the agent adapters that need them. */
export const agentConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _ (max 64)'),
    kind: z.literal('echo'),
    name: z.string().optional(),
    max_attempts: int(1, 100).optional(),
  }),
  z.object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _ (max 64)'),
    kind: z.literal('command'),
    name: z.string().optional(),
    description: z.string().optional(),
    command: z.array(z.string().min(1)).min(1),
    prompt_via: z.enum(['stdin', 'arg']).default('stdin'),
    cwd: z.string().optional(),
    env_allow: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
    kill_grace_ms: int(0, 600_000).optional(),
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
