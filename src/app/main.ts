/**
 * `switchboard`: `serve` runs the server (what `npm start` runs); every other
 * command is an HTTP client of a running server (see src/cli).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { isSwitchboardError } from '../core/domain/errors.ts';
import { registerClientCommands } from '../cli/commands.ts';
import { VERSION } from './version.ts';

async function serve(opts: { config?: string; port?: string; host?: string }): Promise<void> {
  const config = loadConfig(process.env, {
    ...(opts.config !== undefined ? { configFile: opts.config } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
  });
  // Loaded here only: client commands start without the server's modules.
  const { createApp } = await import('./create-app.ts');
  const app = await createApp({ config });
  if (app.bootstrap.created && app.bootstrap.generatedToken !== undefined) {
    const file = join(config.dataDir, 'admin-token');
    writeFileSync(file, `${app.bootstrap.generatedToken}\n`, { mode: 0o600 });
    // Printed once, to the terminal only — never to the log.
    process.stdout.write(
      `\nCreated the admin user. Its API token (shown once, also saved to ${file}, mode 0600):\n\n  ${app.bootstrap.generatedToken}\n\n`,
    );
  }
  const url = await app.listen();
  app.logger.info({ url, database: app.store.dialect, node: app.nodeId }, `Switchboard ${VERSION} listening on ${url}`);
  if (config.host !== '127.0.0.1' && config.host !== 'localhost' && config.host !== '::1') {
    app.logger.warn({ host: config.host }, 'listening beyond loopback: every API call still needs a token; put TLS in front');
  }
  let signals = 0;
  const stop = (signal: string): void => {
    signals += 1;
    if (signals > 1) {
      app.logger.warn('second signal: exiting now');
      process.exit(130);
    }
    app.logger.info({ signal }, 'shutting down: no new tasks; running ones finish or are handed back');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const program = new Command()
  .name('switchboard')
  .description('A durable runtime for AI agents: serve it, or talk to a running server.')
  .version(VERSION)
  .showHelpAfterError('(add --help for usage)');

program
  .command('serve')
  .description('Run the server (SQLite in SWITCHBOARD_DATA_DIR, or PostgreSQL from DATABASE_URL)')
  .option('--config <file>', 'switchboard.config.yaml to use (default: <data dir>/switchboard.config.yaml)')
  .option('--port <port>', 'port to listen on (default: $PORT or 8000)')
  .option('--host <host>', 'address to bind (default: $HOST or 127.0.0.1)')
  .action(serve);

program
  .command('node')
  .description('Run a remote worker node: dial a server, offer this machine\'s agents, run the tasks routed here')
  .option('--server <url>', 'the server to dial (default: $SWITCHBOARD_URL)')
  .option('--token <token>', 'API token of a user with node:connect (default: $SWITCHBOARD_TOKEN)')
  .option('--id <name>', 'node id: tasks for `<agent>@<id>` run here (default: the host name)')
  .option('--label <key=value>', 'a label for selectors `<agent>@*[key=value]` (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--agents <a,b>', 'offer only these agents (default: every agent of this machine\'s configuration)')
  .option('--config <file>', 'switchboard.config.yaml with this node\'s agents')
  .option('--drain-ms <ms>', 'on SIGINT/SIGTERM, how long running tasks may finish before they are handed back (default: 30000)')
  .action(async (_opts: unknown, cmd: Command) => {
    const { runNode } = await import('./node-main.ts');
    process.exitCode = await runNode(cmd.optsWithGlobals(), (line) => process.stderr.write(`${line}\n`));
    process.exit(process.exitCode);
  });

registerClientCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || isSwitchboardError(err)) {
    process.stderr.write(`switchboard: ${err.message}\n`);
  } else {
    process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
