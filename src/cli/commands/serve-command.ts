import { parsePort } from '../cli-options.js';
import type { RegisterCommand } from './index.js';

/** The flags of `serve`. */
export interface ServeOptions {
  host?: string;
  port?: number;
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
    .action((options: ServeOptions) =>
      run(async (context) => {
        const { runServe } = await import('./serve-action.js');
        return runServe(context, options);
      }),
    );
};
