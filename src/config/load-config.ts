/**
 * Loads the configuration: environment first, then switchboard.config.yaml (from
 * --config, SWITCHBOARD_CONFIG, or the data dir). Errors name the variable, or the
 * file, line and field.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { envSchema, fileConfigSchema, type AgentConfig } from './schema.ts';
import { resolveTelegram, type TelegramConfig } from './telegram-config.ts';
import { resolveWs, type WsConfig } from './ws-config.ts';
import { resolveLoginLimits, resolveSessionLifetimes, type LoginLimitConfig, type SessionFileConfig, type SessionLifetimes } from './session-config.ts';

/** Everything the composition root needs, complete and frozen. */
export interface ResolvedConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database:
    | { readonly kind: 'sqlite'; readonly dataDir: string; readonly synchronous: 'full' | 'normal' }
    | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };
  readonly adminToken: string | undefined;
  /** Board pull requests: the token that pushes branches and opens them, and the API (GitHub Enterprise: https://<host>/api/v3). */
  readonly github: { readonly token: string | undefined; readonly apiUrl: string | undefined };
  readonly nodeId: string;
  /** True when SWITCHBOARD_NODE_ID set it: a live server holding it already stops this one from starting. */
  readonly nodeIdExplicit: boolean;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly pollMs: number;
  readonly shutdownGraceMs: number;
  /** On SIGTERM, how long /health answers 503 `draining` while requests are still served, before the listener closes (default 0). */
  readonly drainMs: number;
  /** Origins browsers reach the server at besides its own address (behind a TLS-terminating proxy). */
  readonly publicOrigins: readonly string[];
  readonly bodyLimit: number;
  /** Skill installs: upload limit, unpacked entries and bytes, git clone time limit. */
  readonly skills: {
    readonly uploadLimit: number;
    readonly maxEntries: number;
    readonly maxBytes: number;
    readonly gitTimeoutMs: number;
  };
  readonly sseHeartbeatMs: number;
  readonly logLevel: string;
  readonly agents: readonly AgentConfig[];
  readonly skillsDirs: readonly string[];
  readonly configFile: string | undefined;
  /** Device pairing: owners may approve their own devices (SWITCHBOARD_DEVICE_OWNER_APPROVAL, else YAML devices.owner_approval; default false). */
  readonly devices: { readonly ownerApproval: boolean };
  /** Zero-config agent discovery when the file defines no agents (SWITCHBOARD_DISCOVER, default on). */
  readonly discoverAgents: boolean;
  /** Re-reading database-defined agents (default: 5,000 ms). */
  readonly agentReloadMs: number;
  /** Re-checking agent availability (default: 60,000 ms). */
  readonly agentCheckMs: number;
  /** Remote worker nodes (docs/node-protocol.md). */
  readonly nodeLink: {
    /** A dropped node's runs wait this long for it to reconnect, then fail retryably (default: 15 s). */
    readonly graceMs: number;
    /** Nodes send a heartbeat this often; three missed ones close the link (default: 5 s). */
    readonly heartbeatMs: number;
    /** Attempts of a task on remote agents (default: 3). */
    readonly maxAttempts: number;
    /** Delay before the second attempt, doubled after each (default: 1 s). */
    readonly backoffMs: number;
  };
  /** Session lifetimes (SWITCHBOARD_SESSION_IDLE_MS / _MAX_MS, else YAML sessions.idle_ms / max_ms; default 24 h / 7 days). */
  readonly sessions: SessionLifetimes;
  /** Failed-login limits (SWITCHBOARD_LOGIN_*, else YAML login.*; default 5 per user, 20 per address, 15 minutes). */
  readonly loginLimits: LoginLimitConfig;
  /** The Telegram bot (TELEGRAM_*); absent when TELEGRAM_BOT_TOKEN is unset. */
  readonly telegram: TelegramConfig | undefined;
  /** The WebSocket transport (SWITCHBOARD_WS_*): heartbeat, send limit, stall time, credential re-check. */
  readonly ws: WsConfig;
}

/** A configuration problem, with a message fit for the terminal. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function describeIssues(issues: readonly z.core.$ZodIssue[], where: (path: PropertyKey[]) => string): string {
  return issues.map((i) => `  ${where(i.path)}: ${i.message}`).join('\n');
}

function readConfigFile(file: string): { agents: AgentConfig[]; skillsDirs: string[]; deviceOwnerApproval?: boolean } & SessionFileConfig {
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e?.linePos?.[0];
    throw new ConfigError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e?.message ?? 'invalid YAML'}`);
  }
  const parsed = fileConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const where = (path: PropertyKey[]): string => {
      const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
      const parent = doc.getIn(path.slice(0, -1) as unknown[], true) as { range?: [number, number, number] } | undefined;
      const offset = node?.range?.[0] ?? parent?.range?.[0];
      const line = offset === undefined ? '' : `:${lineCounter.linePos(offset).line}`;
      return `${file}${line} ${path.map(String).join('.') || '(root)'}`;
    };
    throw new ConfigError(`Invalid configuration file:\n${describeIssues(parsed.error.issues, where)}`);
  }
  const baseDir = resolve(file, '..');
  return {
    agents: parsed.data.agents,
    skillsDirs: parsed.data.skills_dirs.map((d) => resolve(baseDir, d)),
    ...(parsed.data.devices !== undefined ? { deviceOwnerApproval: parsed.data.devices.owner_approval } : {}),
    sessions: parsed.data.sessions,
    login: parsed.data.login,
  };
}

export function loadConfig(
  env: NodeJS.ProcessEnv,
  overrides: { readonly configFile?: string; readonly port?: string; readonly host?: string } = {},
): ResolvedConfig {
  // Command-line overrides go through the same validation as the variables they replace.
  const parsed = envSchema.safeParse({
    ...env,
    ...(overrides.port !== undefined ? { PORT: String(overrides.port) } : {}),
    ...(overrides.host !== undefined ? { HOST: overrides.host } : {}),
  });
  if (!parsed.success) {
    throw new ConfigError(`Invalid environment:\n${describeIssues(parsed.error.issues, (p) => p.map(String).join('.'))}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.SWITCHBOARD_DATA_DIR);
  const explicitFile = overrides.configFile ?? e.SWITCHBOARD_CONFIG;
  const defaultFile = join(dataDir, 'switchboard.config.yaml');
  let configFile: string | undefined;
  if (explicitFile !== undefined) {
    configFile = resolve(explicitFile);
    if (!existsSync(configFile)) throw new ConfigError(`Configuration file not found: ${configFile}`);
  } else if (existsSync(defaultFile)) configFile = defaultFile;
  const file: ReturnType<typeof readConfigFile> = configFile === undefined ? { agents: [], skillsDirs: [] } : readConfigFile(configFile);
  const leaseMs = e.SWITCHBOARD_LEASE_MS;
  const resolved: ResolvedConfig = {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database:
      e.DATABASE_URL === undefined
        ? { kind: 'sqlite' as const, dataDir, synchronous: e.SWITCHBOARD_SQLITE_SYNCHRONOUS }
        : { kind: 'postgres' as const, url: e.DATABASE_URL, ...(e.SWITCHBOARD_DB_SCHEMA ? { schema: e.SWITCHBOARD_DB_SCHEMA } : {}) },
    adminToken: e.SWITCHBOARD_ADMIN_TOKEN,
    github: { token: e.GITHUB_TOKEN === '' ? undefined : e.GITHUB_TOKEN, apiUrl: e.GITHUB_API_URL },
    // Default: stable per host and data dir, without revealing the path in events.
    nodeId: e.SWITCHBOARD_NODE_ID ?? `${hostname()}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`,
    nodeIdExplicit: e.SWITCHBOARD_NODE_ID !== undefined,
    concurrency: e.SWITCHBOARD_CONCURRENCY,
    leaseMs,
    renewMs: e.SWITCHBOARD_RENEW_MS ?? Math.max(100, Math.floor(leaseMs / 3)),
    pollMs: e.SWITCHBOARD_POLL_MS,
    shutdownGraceMs: e.SWITCHBOARD_SHUTDOWN_GRACE_MS,
    drainMs: e.SWITCHBOARD_DRAIN_MS,
    publicOrigins: e.SWITCHBOARD_PUBLIC_ORIGINS,
    bodyLimit: e.SWITCHBOARD_BODY_LIMIT,
    skills: {
      uploadLimit: e.SWITCHBOARD_SKILL_UPLOAD_LIMIT,
      maxEntries: e.SWITCHBOARD_SKILL_MAX_FILES,
      maxBytes: e.SWITCHBOARD_SKILL_MAX_BYTES,
      gitTimeoutMs: e.SWITCHBOARD_SKILL_GIT_TIMEOUT_MS,
    },
    sseHeartbeatMs: e.SWITCHBOARD_SSE_HEARTBEAT_MS,
    logLevel: e.SWITCHBOARD_LOG_LEVEL,
    agents: file.agents,
    skillsDirs: file.skillsDirs,
    configFile,
    devices: {
      ownerApproval:
        e.SWITCHBOARD_DEVICE_OWNER_APPROVAL !== undefined
          ? e.SWITCHBOARD_DEVICE_OWNER_APPROVAL === 'true' || e.SWITCHBOARD_DEVICE_OWNER_APPROVAL === '1'
          : (file.deviceOwnerApproval ?? false),
    },
    discoverAgents: e.SWITCHBOARD_DISCOVER === '1',
    agentReloadMs: e.SWITCHBOARD_AGENT_RELOAD_MS,
    agentCheckMs: e.SWITCHBOARD_AGENT_CHECK_MS,
    nodeLink: {
      graceMs: e.SWITCHBOARD_NODE_GRACE_MS,
      heartbeatMs: e.SWITCHBOARD_NODE_HEARTBEAT_MS,
      maxAttempts: e.SWITCHBOARD_NODE_MAX_ATTEMPTS,
      backoffMs: e.SWITCHBOARD_NODE_RETRY_BACKOFF_MS,
    },
    sessions: resolveSessionLifetimes(e, file),
    loginLimits: resolveLoginLimits(e, file),
    telegram: resolveTelegram(e),
    ws: resolveWs(e),
  };
  return deepFreeze(resolved);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
