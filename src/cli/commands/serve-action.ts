import { bufferedStdout, createServiceLogger } from '../../app/sync/service-logger.js';
import { loadConfig } from '../../config/load-config.js';
import { startSyncServer } from '../../http/sync-server.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import type { ServeOptions } from './serve-command.js';

/**
 * The `serve` handler, loaded when the command runs (see serve-command.ts). Runs the service
 * until SIGTERM or SIGINT and resolves to the exit code (0 after a graceful stop). Throws what
 * `loadConfig` and the start-up checks throw.
 */
export async function runServe(context: CliContext, options: ServeOptions): Promise<number> {
  const loaded = await loadConfig(context.configPath, { env: context.env });
  const level = context.env.OKTA_AWS_SYNC_LOG_LEVEL ?? 'info';
  const logger = createServiceLogger({
    level,
    destination: context.stdout === process.stdout ? bufferedStdout() : context.stdout,
  });
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
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return ExitCode.ok;
}
