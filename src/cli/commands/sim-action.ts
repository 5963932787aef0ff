import { startSimulators } from '../../sim/start-simulators.js';
import type { CliContext } from '../cli-context.js';
import { untilSignal } from '../cli-options.js';
import { ExitCode } from '../exit-codes.js';
import type { SimOptions } from './sim-command.js';

/** The `sim` handler, loaded when the command runs (see sim-command.ts). */
export async function simAction(context: CliContext, options: SimOptions): Promise<number> {
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
