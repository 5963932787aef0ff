/**
 * End-to-end harness for `serve`: both simulators (Okta SCIM-pushing into AWS), a config with a
 * hook secret and an API token, the service started in-process through `startSyncServer` (or as
 * a child process by the crash test), and an Okta event hook registered and verified against it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { pino } from 'pino';

import type { PlanServiceDeps } from '../../src/app/plan/plan-service.js';
import { planFromCurrentState } from '../../src/app/plan/plan-service.js';
import type { Adapters } from '../../src/app/wiring.js';
import { buildAdapters } from '../../src/app/wiring.js';
import type { LoadedConfig } from '../../src/config/load-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { registerEventHook } from '../../src/app/sync/register-event-hook.js';
import { Secret } from '../../src/core/secret.js';
import type { Plan } from '../../src/core/plan/plan.js';
import type { RunningSyncServer, StartSyncServerOptions } from '../../src/http/sync-server.js';
import { startSyncServer } from '../../src/http/sync-server.js';
import type { AwsScenario, AwsSimulator } from '../../src/sim/aws/index.js';
import { assignmentRows, startAwsSimulator } from '../../src/sim/aws/index.js';
import type { OktaScenario, OktaSimulator } from '../../src/sim/okta/okta-simulator.js';
import { startOktaSimulator } from '../../src/sim/okta/okta-simulator.js';

export const DEV = '111111111111';
export const PROD = '222222222222';
export const HOOK_SECRET = 'serve-e2e-hook-secret-0123456789';
export const API_TOKEN = 'serve-e2e-api-token-0123456789';

export const RULES = `safety:
  maxDeletes: 25
permissionSets:
  Developer:
    description: Developer access
    sessionDuration: PT4H
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
rules:
  - name: per-account-groups
    groups: { namePattern: '^aws#(?<alias>[^#]+)#(?<permissionSet>[\\w+=,.@-]{1,32})#(?<account>\\d{12})$' }
    permissionSet: '{permissionSet}'
    template: Developer
    accounts: ['{account}']
    assign: USER
`;

export const AWS_SCENARIO: AwsScenario = {
  managementAccountId: '999999999999',
  accounts: [
    { id: DEV, name: 'dev', tags: { env: 'dev' } },
    { id: PROD, name: 'prod', tags: { env: 'prod' } },
  ],
};

export const OKTA_SCENARIO: OktaScenario = {
  users: [
    { login: 'alice@example.com', appAssigned: true },
    { login: 'bob@example.com', appAssigned: true },
    { login: 'carol@example.com', appAssigned: true },
  ],
  groups: [{ name: `aws#dev#Developer#${DEV}`, members: ['alice@example.com'] }],
};

export interface ServeWorldOptions {
  /** Store URL; default a SQLite file in the temp directory. */
  readonly store?: string;
  readonly poll?: boolean;
  readonly asyncLatencyMs?: number;
  readonly oktaScenario?: OktaScenario;
  /** The `safety`, `permissionSets` and `rules` part of the config; default RULES. */
  readonly rules?: string;
}

export interface ServeWorld {
  readonly aws: AwsSimulator;
  readonly okta: OktaSimulator;
  readonly dir: string;
  readonly configPath: string;
  readonly env: Record<string, string>;
  readonly loaded: LoadedConfig;
  /** Adapters of the test itself (for checking convergence), separate from the service's. */
  readonly adapters: Adapters;
  /** Starts the service in-process on `port` (default any). */
  startServer(port?: number, extra?: Partial<StartSyncServerOptions>): Promise<RunningSyncServer>;
  /** Registers and verifies an Okta event hook for every sync event type at `url`. */
  registerHook(url: string): Promise<string>;
  /** A fresh plan from current Okta and AWS state; empty operations = converged. */
  plan(): Promise<Plan>;
  /** Assignments in the AWS simulator as `account|psName|TYPE|principal name`, sorted. */
  assignments(): string[];
  permissionSetNames(): string[];
  oktaId(loginOrName: string): string;
  close(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `check` returns true (polling), or fails with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Service tuning for tests: short backoffs and polls, so convergence takes milliseconds. */
export const FAST_SERVICE: StartSyncServerOptions['service'] = {
  queue: {
    baseDelayMs: 50,
    maxDelayMs: 500,
    pendingBaseDelayMs: 100,
    pendingMaxDelayMs: 400,
    idlePollMs: 100,
    leaseMs: 10_000,
  },
  apply: {
    retry: { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 10 },
    poll: { initialDelayMs: 10, maxDelayMs: 40, timeoutMs: 20_000 },
  },
  pollIntervalMs: 200,
};

export async function startServeWorld(options: ServeWorldOptions = {}): Promise<ServeWorld> {
  const aws = await startAwsSimulator({
    asyncLatencyMs: options.asyncLatencyMs ?? 20,
    scenario: AWS_SCENARIO,
    quotas: { ratePerSecond: 1000 },
    behaviour: { organizationsEmptyPageProbability: 0 },
  });
  const okta = await startOktaSimulator({
    scenario: options.oktaScenario ?? OKTA_SCENARIO,
    hookDelivery: { batchWindowMs: 10, retryDelayMs: 20 },
    scim: {
      awsEndpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      identityStoreId: aws.identityStoreId,
      lagMs: 0,
    },
  });
  await okta.control.settle();
  const dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-serve-'));
  await mkdir(dir, { recursive: true });
  const configPath = path.join(dir, 'okta-aws-sync.yaml');
  await writeFile(
    configPath,
    [
      'okta:',
      `  orgUrl: ${okta.orgUrl}`,
      '  token: ${env:OKTA_API_TOKEN}',
      '  eventHook:',
      '    secret: ${env:OKTA_EVENT_HOOK_SECRET}',
      `  poll: { enabled: ${options.poll ?? false}, interval: 1s }`,
      'aws:',
      `  region: ${aws.region}`,
      `  endpoint: ${aws.endpoint}`,
      `  instanceArn: ${aws.instanceArn}`,
      '  rateLimit: { ssoAdmin: 400, identityStore: 400, organizations: 400, iam: 400, sts: 400 }',
      `store: ${options.store ?? `sqlite:${path.join(dir, 'store.db')}`}`,
      'server:',
      '  host: 127.0.0.1',
      '  port: 0',
      '  apiToken: ${env:OKTA_AWS_SYNC_API_TOKEN}',
      'reconcile: { fullInterval: 1h, workers: 4 }',
      options.rules ?? RULES,
    ].join('\n'),
  );
  const env = {
    OKTA_API_TOKEN: okta.token,
    OKTA_EVENT_HOOK_SECRET: HOOK_SECRET,
    OKTA_AWS_SYNC_API_TOKEN: API_TOKEN,
    AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    AWS_REGION: aws.region,
  };
  const loaded = await loadConfig(configPath, { env });
  const adapters = buildAdapters(loaded, { env, awsRetry: { baseDelayMs: 5, maxDelayMs: 40 } });
  const planDeps: PlanServiceDeps = {
    identityCenter: adapters.awsReaders.identityCenter,
    organizations: adapters.awsReaders.organizations,
    okta: adapters.okta.reader,
  };
  const servers: RunningSyncServer[] = [];

  const dump = () => aws.control.dumpState();
  return {
    aws,
    okta,
    dir,
    configPath,
    env,
    loaded,
    adapters,
    async startServer(port = 0, extra = {}) {
      const server = await startSyncServer({
        loaded,
        logger: pino({ level: process.env.SERVE_TEST_LOG ?? 'silent' }),
        port,
        wiring: { env, awsRetry: { baseDelayMs: 5, maxDelayMs: 40 } },
        service: FAST_SERVICE,
        ...extra,
      });
      servers.push(server);
      return server;
    },
    async registerHook(url) {
      return registerEventHook({
        orgUrl: okta.orgUrl,
        apiToken: new Secret(okta.token, 'test'),
        serviceUrl: url,
        hookSecret: new Secret(HOOK_SECRET, 'test'),
      });
    },
    async plan() {
      return (await planFromCurrentState(loaded.policy, planDeps)).plan;
    },
    assignments() {
      return assignmentRows(dump());
    },
    permissionSetNames() {
      return dump()
        .permissionSets.map((ps) => ps.name)
        .sort();
    },
    oktaId(loginOrName) {
      const state = okta.control.state();
      const id =
        state.users.find((u) => u.login === loginOrName)?.id ??
        state.groups.find((g) => g.name === loginOrName)?.id;
      if (!id) throw new Error(`no Okta user or group ${loginOrName}`);
      return id;
    },
    async close() {
      for (const server of servers) await server.close(1000).catch(() => undefined);
      await adapters.close();
      await okta.close();
      await aws.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
