/** `switchboard nodes list`: the remote worker nodes a server knows (GET /api/nodes, needs node:read). */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import type { CommandContext } from './actions.ts';
import { ExitCodes } from './cli-errors.ts';
import { formatTable } from './format.ts';
import { nodeList } from '../wire/node.ts';

export async function nodesListAction(ctx: CommandContext): Promise<number> {
  const { nodes } = await ctx.client.call('GET', '/api/nodes', nodeList);
  if (ctx.json) {
    ctx.out(JSON.stringify(nodes, null, 2));
    return ExitCodes.ok;
  }
  ctx.out(
    formatTable(
      ['NODE', 'HEALTH', 'AGENTS', 'LABELS', 'RUNNING', 'USER', 'DEVICE', 'LAST HEARTBEAT'],
      nodes.map((n) => [
        n.node_id,
        n.health,
        n.agents.join(',') || '-',
        Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-',
        String(n.running_tasks.length),
        n.username,
        n.device_id,
        n.last_heartbeat,
      ]),
    ),
  );
  return ExitCodes.ok;
}

/** Adds `nodes` with its subcommands to `program` (`switchboard node` itself runs a node; see src/app/main.ts). */
export function registerNodeCommands(program: Command, run: RunAction): void {
  const nodes = program.command('nodes').description('Remote worker nodes connected to the server');
  nodes
    .command('list')
    .description('List the worker nodes: agents, labels, running tasks, health (needs node:read)')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => nodesListAction(ctx)));
}
