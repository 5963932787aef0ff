/**
 * Child process of the `apply-throughput` benchmark: the AWS simulator in a process of its own,
 * so that it has a core to itself and the executor's measured rate is not the simulator's CPU
 * share (AWS is remote too). Argument: a JSON `ApplyThroughputSimJob`. Prints one JSON line with
 * the endpoint once listening, then serves until stdin closes or SIGTERM arrives; the parent
 * reads state, call logs and request timings through the `/_sim/...` control routes.
 */
import type { AwsScenario } from '../src/sim/aws/index.js';
import { startAwsSimulator } from '../src/sim/aws/index.js';

export interface ApplyThroughputSimJob {
  readonly seed: number;
  readonly scenario: AwsScenario;
  readonly asyncLatencyMs: number;
  /** sso-admin (and every other service's) requests per second; the bucket holds one second. */
  readonly ratePerSecond: number;
  readonly outstandingCreateAssignments: number;
}

export interface ApplyThroughputSimReady {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly instanceArn: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ApplyThroughputSimJob;
const sim = await startAwsSimulator({
  seed: job.seed,
  scenario: job.scenario,
  asyncLatencyMs: job.asyncLatencyMs,
  quotas: {
    ratePerSecond: job.ratePerSecond,
    outstandingCreateAssignments: job.outstandingCreateAssignments,
  },
  behaviour: { organizationsEmptyPageProbability: 0 },
});
const ready: ApplyThroughputSimReady = {
  endpoint: sim.endpoint,
  region: sim.region,
  credentials: sim.credentials,
  instanceArn: sim.instanceArn,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);

let closing = false;
const close = (): void => {
  if (closing) return;
  closing = true;
  void sim.close().then(() => process.exit(0));
};
process.stdin.on('end', close);
process.stdin.resume();
process.on('SIGTERM', close);
