import { startSimulators } from '../../sim/start-simulators.js';
import type { CliContext } from '../cli-context.js';
import { parseNonNegativeInteger, parsePort, untilSignal } from '../cli-options.js';
import { ExitCode } from '../exit-codes.js';
import type { RegisterCommand } from './index.js';

interface SimOptions {
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
    .action((options: SimOptions) => run((context) => simCommand(context, options)));
};

async function simCommand(context: CliContext, options: SimOptions): Promise<number> {
  const neither = options.awsPort === undefined && options.oktaPort === undefined;
  const simulators = await startSimulators({
    host: options.host,
    ...(neither ? { awsPort: 0, oktaPort: 0 } : {}),
    ...(options.awsPort === undefined ? {} : { awsPort: options.awsPort }),
    ...(options.oktaPort === undefined ? {} : { oktaPort: options.oktaPort }),
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.scimLagMs === undefined ? {} : { scimLagMs: options.scimLagMs }),
  });
  const endpoints = simulators.describe();
  if (context.json) {
    context.stdout.write(`${JSON.stringify(endpoints)}\n`);
  } else {
    if (endpoints.aws) {
      const aws = endpoints.aws;
      context.stdout.write(
        `AWS simulator   ${aws.endpoint}  region ${aws.region}\n` +
          `  AWS_ENDPOINT_URL=${aws.endpoint} AWS_ACCESS_KEY_ID=${aws.accessKeyId} AWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\n`,
      );
    }
    if (endpoints.okta) {
      context.stdout.write(
        `Okta simulator  ${endpoints.okta.orgUrl}\n  OKTA_API_TOKEN=${endpoints.okta.token}\n`,
      );
    }
    context.stdout.write('Press Ctrl-C to stop.\n');
  }
  await untilSignal();
  await simulators.close();
  return ExitCode.ok;
}
