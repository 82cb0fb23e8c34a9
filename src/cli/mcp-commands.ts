/** `switchboard mcp`: serves MCP on stdio for a desktop client, relayed to the server this CLI talks to. */
import type { Command } from 'commander';
import { reportError, type TokenSource } from './cli-errors.ts';
import { resolveSettings } from './settings.ts';

interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
}

async function mcpAction(cmd: Command): Promise<void> {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const note = (line: string): void => void process.stderr.write(`${line}\n`);
  let tokenSource: TokenSource = 'none';
  try {
    const settings = resolveSettings({ flags: { url: globals.url, token: globals.token }, env: process.env, warn: (m) => note(`switchboard: ${m}`) });
    tokenSource = settings.tokenSource;
    if (settings.token === undefined) note('switchboard mcp: no token found; every call will be refused (run switchboard login, or set SWITCHBOARD_TOKEN)');
    // Loaded here only: the SDK takes a while to load, and the other commands do not need it.
    const [{ StdioServerTransport }, { remoteMcp, runMcpBridge }] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('./mcp-bridge.ts'),
    ]);
    const local = new StdioServerTransport();
    // The client ends the session by closing our stdin.
    process.stdin.once('end', () => void local.close());
    await runMcpBridge(local, remoteMcp(settings.url, settings.token), { url: settings.url, note });
    process.exitCode = 0;
  } catch (err) {
    process.exitCode = reportError(err, process.stderr, tokenSource);
  }
}

/** Adds `switchboard mcp` to `program`. */
export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve MCP on stdin/stdout (for a desktop MCP client), relayed to the server with this CLI\'s URL and token')
    .action((_opts: unknown, cmd: Command) => mcpAction(cmd));
}
