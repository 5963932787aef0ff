import { parseNonNegativeInteger, parsePort } from '../cli-options.js';
import type { RegisterCommand } from './index.js';

/** The options of `sim`, as commander parses them. */
export interface SimOptions {
  awsPort?: number;
  oktaPort?: number;
  host: string;
  scenario?: string;
  seed?: number;
  region?: string;
  scimLagMs?: number;
}

/**
 * `sim`: the AWS and Okta simulators on their own (PRODUCT.md §3, simulators). With neither port
 * given both start on free ports. Prints endpoints and credentials (one JSON line with --json),
 * then runs until SIGTERM or SIGINT.
 */
export const registerSimCommand: RegisterCommand = (program, run) => {
  program
    .command('sim')
    .description('Run the AWS and Okta simulators, for trying the tool or for other tests.')
    .option('--aws-port <port>', 'AWS simulator port, 0 for any', parsePort)
    .option('--okta-port <port>', 'Okta simulator port, 0 for any', parsePort)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--scenario <demo|file>', 'seed: "demo" or a YAML/JSON file with aws:, okta:, scim:')
    .option('--seed <n>', 'seed for ids and fault draws', parseNonNegativeInteger)
    .option('--region <region>', 'AWS region (default us-east-1)')
    .option('--scim-lag-ms <ms>', 'Okta → Identity Center SCIM push lag', parseNonNegativeInteger)
    .action((options: SimOptions) =>
      run(async (context) => {
        const { simAction } = await import('./sim-action.js');
        return simAction(context, options);
      }),
    );
};
