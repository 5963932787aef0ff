import { InvalidArgumentError } from 'commander';

import { createServiceLogger } from '../../app/sync/service-logger.js';
import { loadConfig } from '../../config/load-config.js';
import { startSyncServer } from '../../http/sync-server.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import type { RegisterCommand } from './index.js';

/** The flags of `serve`. */
export interface ServeOptions {
  host?: string;
  port?: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('expected a port number 0-65535');
  }
  return port;
}

/**
 * `serve [--host H] [--port N]`: the continuous service (docs/serve.md). Logs JSON lines to
 * stdout; runs until SIGTERM or SIGINT, then stops taking requests, finishes or releases
 * in-flight work, closes the store and exits 0. Start-up check failures exit 1.
 */
export const registerServeCommand: RegisterCommand = (program, run) => {
  program
    .command('serve')
    .description(
      'Run the continuous service: event hook, System Log poller, workers, periodic full reconcile, HTTP API, metrics.',
    )
    .option('--host <host>', 'listen address (default server.host)')
    .option('--port <port>', 'listen port, 0 for any (default server.port)', parsePort)
    .action((options: ServeOptions) => run((context) => runServe(context, options)));
};

/**
 * Runs the service until SIGTERM or SIGINT and resolves to the exit code (0 after a graceful
 * stop). Throws what `loadConfig` and the start-up checks throw.
 */
export async function runServe(context: CliContext, options: ServeOptions): Promise<number> {
  const loaded = await loadConfig(context.configPath, { env: context.env });
  const level = context.env.OKTA_AWS_SYNC_LOG_LEVEL ?? 'info';
  const logger = createServiceLogger({ level, destination: context.stdout });
  const server = await startSyncServer({
    loaded,
    logger,
    wiring: { env: context.env },
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await server.close();
  logger.info('stopped');
  return ExitCode.ok;
}
