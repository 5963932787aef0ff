import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../../../config/load-config.js';
import type { IdentityCenterWriter } from '../../../ports/identity-center-writer.js';
import type { Store } from '../../../ports/store.js';
import type { AwsScenario, AwsSimulator } from '../../../sim/aws/index.js';
import { startAwsSimulator } from '../../../sim/aws/index.js';
import type { OktaScenario, OktaSimulator } from '../../../sim/okta/okta-simulator.js';
import { startOktaSimulator } from '../../../sim/okta/okta-simulator.js';
import type { PlanServiceDeps } from '../../plan/plan-service.js';
import { buildAdapters, type Adapters } from '../../wiring.js';

/** Both simulators, a config file pointing at them, and the adapters the services need. */
export interface SyncWorld {
  readonly aws: AwsSimulator;
  readonly okta: OktaSimulator;
  readonly dir: string;
  readonly configPath: string;
  /** Environment for the CLI and loadConfig: tokens and AWS keys of the simulators. */
  readonly env: Record<string, string>;
  readonly loaded: LoadedConfig;
  readonly adapters: Adapters;
  readonly writer: IdentityCenterWriter;
  readonly store: Store;
  readonly planDeps: PlanServiceDeps;
  close(): Promise<void>;
}

export interface SyncWorldOptions {
  readonly awsScenario: AwsScenario;
  readonly oktaScenario: OktaScenario;
  /** The config file's body after `okta:`, `aws:` and `store:` (rules, templates, safety). */
  readonly configBody: string;
  /** Extra files next to the config (policies), by relative path. */
  readonly files?: Readonly<Record<string, string>>;
  readonly asyncLatencyMs?: number;
}

/**
 * Starts the AWS simulator and the Okta simulator (which SCIM-pushes into it), writes a config
 * for them in a temp directory, opens the store and builds the readers and the writer through
 * the real SDK clients with small latencies and a generous rate limit, as tests need them.
 */
export async function startSyncWorld(options: SyncWorldOptions): Promise<SyncWorld> {
  const aws = await startAwsSimulator({
    asyncLatencyMs: options.asyncLatencyMs ?? 20,
    scenario: options.awsScenario,
    quotas: { ratePerSecond: 1000 },
    behaviour: { organizationsEmptyPageProbability: 0 },
  });
  const okta = await startOktaSimulator({
    scenario: options.oktaScenario,
    scim: {
      awsEndpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      identityStoreId: aws.identityStoreId,
      lagMs: 0,
    },
  });
  await okta.control.settle();
  const dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-e2e-'));
  for (const [file, content] of Object.entries(options.files ?? {})) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  const configPath = path.join(dir, 'okta-aws-sync.yaml');
  await writeFile(
    configPath,
    [
      'okta:',
      `  orgUrl: ${okta.orgUrl}`,
      '  token: ${env:OKTA_API_TOKEN}',
      'aws:',
      `  region: ${aws.region}`,
      `  endpoint: ${aws.endpoint}`,
      `  instanceArn: ${aws.instanceArn}`,
      '  rateLimit: { ssoAdmin: 400, identityStore: 400, organizations: 400, iam: 400, sts: 400 }',
      `store: sqlite:${path.join(dir, 'store.db')}`,
      options.configBody,
    ].join('\n'),
  );
  const env = {
    OKTA_API_TOKEN: okta.token,
    AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    AWS_REGION: aws.region,
  };
  const loaded = await loadConfig(configPath, { env });
  const adapters = buildAdapters(loaded, {
    env,
    awsRetry: { baseDelayMs: 5, maxDelayMs: 40 },
  });
  const store = await adapters.store();
  const planDeps: PlanServiceDeps = {
    identityCenter: adapters.awsReaders.identityCenter,
    organizations: adapters.awsReaders.organizations,
    okta: adapters.okta.reader,
    store,
  };
  return {
    aws,
    okta,
    dir,
    configPath,
    env,
    loaded,
    adapters,
    writer: adapters.identityCenterWriter,
    store,
    planDeps,
    async close() {
      await adapters.close();
      await okta.close();
      await aws.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
