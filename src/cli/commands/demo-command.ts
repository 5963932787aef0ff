import { parsePort } from '../cli-options.js';
import type { RegisterCommand } from './index.js';

/** The options of `demo`, as commander parses them. */
export interface DemoOptions {
  exit?: boolean;
  dataDir: string;
  port: number;
}

/**
 * `demo`: the embedded default. Needs no config and no network: starts both simulators with the
 * sample organisation, an SQLite store in --data-dir and `serve`, plays the story, then keeps
 * running (Ctrl-C stops it) unless --exit. Exits 1 when a step did not converge.
 */
export const registerDemoCommand: RegisterCommand = (program, run) => {
  program
    .command('demo')
    .description('Simulated Okta + AWS, the sync service, and a narrated story. No config needed.')
    .option('--exit', 'stop after the story instead of keeping the service running')
    .option('--data-dir <dir>', 'where the SQLite store, config and log go', './data/demo')
    .option('--port <port>', 'port for the sync service, 0 for any', parsePort, 0)
    .action((options: DemoOptions) =>
      run(async (context) => {
        const { demoAction } = await import('./demo-action.js');
        return demoAction(context, options);
      }),
    );
};
