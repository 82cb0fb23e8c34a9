/**
 * `switchboard node`: a remote worker node. It builds its agents exactly as the server
 * builds its own (the same assembly: config file, discovery, command agents with their
 * containment and worktrees), from this machine's configuration and environment, and
 * offers them to a server over the node link (src/transports/link).
 */
import { homedir, hostname } from 'node:os';
import { loadConfig } from '../config/load-config.ts';
import type { AgentConfigStore } from '../core/ports/agent-config-store.ts';
import type { AgentRegistry } from '../core/ports/agent-registry.ts';
import { createAgentRuntime } from '../agents/assembly/agent-runtime.ts';
import { deviceKeyPath, keyFingerprint, readDeviceKey, signChallenge } from '../cli/device-key.ts';
import { NodeRefusedError, startNodeClient } from '../transports/link/node-client.ts';
import { pino } from 'pino';
import { systemClock } from './node-timers.ts';

export interface NodeCommandOptions {
  readonly server?: string;
  readonly token?: string;
  readonly id?: string;
  readonly label?: readonly string[];
  readonly agents?: string;
  readonly config?: string;
  /** How long a stop waits for running tasks before handing them back (ms). */
  readonly drainMs?: string;
}

/** Exit codes of `switchboard node`. */
export const NodeExit = { ok: 0, refused: 3, usage: 2 } as const;

/** A node has no database: only agents of its configuration file (or discovered, or echo). */
const NO_STORED_AGENTS: AgentConfigStore = {
  listAgentConfigs: async () => [],
  findAgentConfig: async () => undefined,
  putAgentConfig: async () => {
    throw new Error('A worker node has no agent store');
  },
  deleteAgentConfig: async () => false,
};

function parseLabels(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})=([^,=\]]{0,200})$/.exec(p);
    if (m === null) throw new Error(`--label ${p}: expected key=value (key: letters, digits, . - _)`);
    out[m[1] as string] = m[2] as string;
  }
  return out;
}

/** Runs the node until SIGINT/SIGTERM (exit 0 after draining) or a refusal (exit 3). */
export async function runNode(opts: NodeCommandOptions, status: (line: string) => void): Promise<number> {
  const server = opts.server ?? process.env['SWITCHBOARD_URL'];
  const token = opts.token ?? process.env['SWITCHBOARD_TOKEN'];
  if (server === undefined || token === undefined) {
    status('switchboard node: --server URL and --token T are required (or SWITCHBOARD_URL and SWITCHBOARD_TOKEN)');
    return NodeExit.usage;
  }
  const keyFile = deviceKeyPath(process.env, homedir());
  const key = readDeviceKey(keyFile);
  if (key === undefined) {
    status(`switchboard node: no device key at ${keyFile}; run \`switchboard devices init\` on this machine and have an admin approve the device`);
    return NodeExit.refused;
  }
  const config = loadConfig(process.env, opts.config !== undefined ? { configFile: opts.config } : {});
  // Agents' own log lines go to stderr with the status lines (not create-app's logger: the node loads no server module).
  const logger = pino({ level: process.env['SWITCHBOARD_LOG_LEVEL'] ?? 'warn', redact: { paths: ['token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' } }, pino.destination({ dest: 2, sync: true }));
  const runtime = await createAgentRuntime({ config, store: NO_STORED_AGENTS, env: process.env, extraAgents: [], clock: systemClock, logger });
  const wanted = opts.agents === undefined ? undefined : new Set(opts.agents.split(',').map((a) => a.trim()).filter((a) => a !== ''));
  const all = runtime.registry;
  const agents: AgentRegistry = {
    get: (id) => (wanted === undefined || wanted.has(id) ? all.get(id) : undefined),
    list: () => all.list().filter((a) => wanted === undefined || wanted.has(a.info.agentType)),
  };
  for (const id of wanted ?? []) if (all.get(id) === undefined) status(`switchboard node: warning: no agent ${id} on this machine`);
  const nodeId = opts.id ?? hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);
  status(`node ${nodeId}: device ${key.deviceId} (${keyFingerprint(key.publicKey)}), agents ${agents.list().map((a) => a.info.agentType).join(', ') || '(none)'}`);
  const client = startNodeClient({
    serverUrl: server,
    token,
    nodeId,
    labels: parseLabels(opts.label ?? []),
    agents,
    deviceId: key.deviceId,
    sign: (c) => signChallenge(key, c),
    status,
  });
  const drainMs = Number(opts.drainMs ?? 30_000);
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): void => {
    if (stopping !== undefined) process.exit(130);
    status(`${signal}: stopping (running tasks finish within ${drainMs} ms or are handed back)`);
    stopping = client.stop(drainMs);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await client.done;
    await stopping;
    status('node stopped');
    return NodeExit.ok;
  } catch (err) {
    if (err instanceof NodeRefusedError) {
      const hint = err.code === 'NODE_DEVICE_UNTRUSTED' ? ` (approve it: switchboard devices approve ${key.deviceId})` : '';
      status(`switchboard node: refused: ${err.code}: ${err.message}${hint}`);
      return NodeExit.refused;
    }
    throw err;
  }
}
