/** Builds agent adapters from configuration; `echo` is always there unless the config redefines it. */
import type { AgentAdapter } from '../core/ports.ts';
import type { AgentConfig } from '../config/schema.ts';
import { createEchoAgent } from '../agents/echo/echo-agent.ts';
import { createCommandAgent } from '../agents/command/command-agent.ts';

export function buildAgents(configs: readonly AgentConfig[]): AgentAdapter[] {
  const agents = configs.map((c): AgentAdapter => {
    switch (c.kind) {
      case 'echo':
        return c.id === 'echo'
          ? createEchoAgent({ ...(c.max_attempts ? { maxAttempts: c.max_attempts } : {}) })
          : renamed(createEchoAgent({ ...(c.max_attempts ? { maxAttempts: c.max_attempts } : {}) }), c.id, c.name);
      case 'command':
        return createCommandAgent({
          id: c.id,
          command: c.command,
          promptVia: c.prompt_via,
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.description !== undefined ? { description: c.description } : {}),
          ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
          ...(c.env_allow !== undefined ? { envAllow: c.env_allow } : {}),
          ...(c.kill_grace_ms !== undefined ? { killGraceMs: c.kill_grace_ms } : {}),
          ...(c.max_attempts !== undefined ? { retry: { maxAttempts: c.max_attempts, backoffMs: 1000 } } : {}),
        });
      default: {
        const never: never = c;
        throw new Error(`Unknown agent kind in ${JSON.stringify(never)}`);
      }
    }
  });
  if (!agents.some((a) => a.info.agentType === 'echo')) agents.unshift(createEchoAgent());
  return agents;
}

function renamed(agent: AgentAdapter, id: string, name: string | undefined): AgentAdapter {
  return { ...agent, info: { ...agent.info, agentType: id, name: name ?? id } };
}
