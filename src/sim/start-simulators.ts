import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  loadAwsScenario,
  startAwsSimulator,
  type AwsScenario,
  type AwsSimulator,
} from './aws/index.js';
import { loadOktaScenario, type OktaScenario } from './okta/okta-scenario.js';
import { startOktaSimulator, type OktaSimulator } from './okta/okta-simulator.js';
import { demoScenario } from './scenarios/demo-scenario.js';

export interface StartSimulatorsOptions {
  /** Port for the AWS simulator; 0 picks a free one; undefined does not start it. */
  readonly awsPort?: number;
  /** Port for the Okta simulator; 0 picks a free one; undefined does not start it. */
  readonly oktaPort?: number;
  readonly host?: string;
  /** `demo`, a path to a YAML/JSON file with `aws:`, `okta:` and `scim:` sections, or an object. */
  readonly scenario?: string | CombinedScenario;
  readonly seed?: number;
  readonly region?: string;
  /** Simulated SCIM push lag (Okta → Identity Center) when both run. Default: scenario, else 0. */
  readonly scimLagMs?: number;
  /** Async latency of the AWS simulator; default: scenario, else the simulator default. */
  readonly asyncLatencyMs?: number;
}

const combinedScenarioSchema = z.object({
  aws: z.unknown().optional(),
  okta: z.unknown().optional(),
  scim: z.object({ lagMs: z.number().nonnegative().optional() }).optional(),
});

/** A scenario for both simulators. Okta pushes its app-assigned users and groups into AWS. */
export interface CombinedScenario {
  readonly aws?: AwsScenario;
  readonly okta?: OktaScenario;
  readonly scim?: { readonly lagMs?: number };
}

export interface RunningSimulators {
  readonly aws?: AwsSimulator;
  readonly okta?: OktaSimulator;
  /** One line of JSON as `sim --json` prints it (PRODUCT.md §3, simulators). */
  describe(): SimulatorEndpoints;
  close(): Promise<void>;
}

export interface SimulatorEndpoints {
  aws?: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  okta?: { orgUrl: string; token: string };
}

function loadCombinedScenario(source: StartSimulatorsOptions['scenario']): CombinedScenario {
  if (source === undefined) return {};
  if (source === 'demo') return demoScenario();
  if (typeof source !== 'string') return source;
  const parsed = combinedScenarioSchema.safeParse(parseYaml(readFileSync(source, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `invalid scenario ${source}: expected a document with aws:, okta: and scim: sections`,
    );
  }
  return {
    ...(parsed.data.aws === undefined ? {} : { aws: loadAwsScenario(parsed.data.aws) }),
    ...(parsed.data.okta === undefined
      ? {}
      : { okta: loadOktaScenario(parsed.data.okta as OktaScenario) }),
    ...(parsed.data.scim === undefined ? {} : { scim: parsed.data.scim }),
  };
}

/**
 * Starts the AWS simulator, the Okta simulator, or both. When both run, the Okta simulator's SCIM
 * push targets the AWS simulator's identity store, as Okta's Identity Center app would.
 */
export async function startSimulators(options: StartSimulatorsOptions): Promise<RunningSimulators> {
  const scenario = loadCombinedScenario(options.scenario);
  const host = options.host ?? '127.0.0.1';
  const aws =
    options.awsPort === undefined
      ? undefined
      : await startAwsSimulator({
          port: options.awsPort,
          host,
          ...(options.region === undefined ? {} : { region: options.region }),
          ...(options.seed === undefined ? {} : { seed: options.seed }),
          ...(options.asyncLatencyMs === undefined
            ? {}
            : { asyncLatencyMs: options.asyncLatencyMs }),
          ...(scenario.aws === undefined ? {} : { scenario: scenario.aws }),
        });
  let okta: OktaSimulator | undefined;
  try {
    okta =
      options.oktaPort === undefined
        ? undefined
        : await startOktaSimulator({
            port: options.oktaPort,
            host,
            ...(options.seed === undefined ? {} : { seed: options.seed }),
            ...(scenario.okta === undefined ? {} : { scenario: scenario.okta }),
            ...(aws === undefined
              ? {}
              : {
                  scim: {
                    awsEndpoint: aws.endpoint,
                    region: aws.region,
                    credentials: aws.credentials,
                    identityStoreId: aws.identityStoreId,
                    lagMs: options.scimLagMs ?? scenario.scim?.lagMs ?? 0,
                  },
                }),
          });
  } catch (error) {
    await aws?.close();
    throw error;
  }
  return {
    ...(aws === undefined ? {} : { aws }),
    ...(okta === undefined ? {} : { okta }),
    describe: () => ({
      ...(aws === undefined
        ? {}
        : {
            aws: {
              endpoint: aws.endpoint,
              region: aws.region,
              accessKeyId: aws.credentials.accessKeyId,
              secretAccessKey: aws.credentials.secretAccessKey,
            },
          }),
      ...(okta === undefined ? {} : { okta: { orgUrl: okta.orgUrl, token: okta.token } }),
    }),
    close: async () => {
      await okta?.close();
      await aws?.close();
    },
  };
}
