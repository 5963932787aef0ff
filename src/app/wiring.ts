/**
 * The one place that builds adapters from a loaded config: AWS clients behind the shared
 * per-service limiters, the Okta client behind its request gate, and the store. Entry points
 * (CLI, HTTP, Lambda) call `buildAdapters` and hand the pieces to application services; nothing
 * else constructs an SDK client.
 */
import type { Client as OktaClient } from '@okta/okta-sdk-nodejs';
import { AwsAccountIamReader } from '../adapters/aws/account-iam-reader.js';
import { createAwsClients, type AwsClients } from '../adapters/aws/aws-clients.js';
import { AwsCallCounters } from '../adapters/aws/aws-call-counters.js';
import { AwsRateLimiters, type AwsRetryOptions } from '../adapters/aws/aws-rate-limiters.js';
import { AwsIdentityCenterReader } from '../adapters/aws/identity-center-reader.js';
import { createIdentityCenterWriter } from '../adapters/aws/identity-center-writer.js';
import { AwsOrganizationsReader } from '../adapters/aws/organizations-reader.js';
import { lazyOktaClient, lazyOktaHttp } from '../adapters/okta/okta-client.js';
import { SdkOktaDirectoryReader } from '../adapters/okta/okta-directory-reader.js';
import type { OktaHttp } from '../adapters/okta/okta-log-reader.js';
import { OktaRequestGate } from '../adapters/okta/okta-request-gate.js';
import { openStore } from '../adapters/store/open-store.js';
import type { InstanceArn } from '../core/domain/ids.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { DiscoveryDependencies } from './discovery/discovery-service.js';
import type { AwsReaders } from '../ports/aws-readers.js';
import type { IdentityCenterWriter } from '../ports/identity-center-writer.js';
import type { OktaDirectoryReader, OktaPrincipalReader } from '../ports/okta-directory.js';
import type { Store } from '../ports/store.js';

export interface WiringOptions {
  /** Environment for AWS credentials/region/endpoint fallbacks. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides for the call gate's retry policy (tests use small delays). */
  readonly awsRetry?: AwsRetryOptions;
}

/** Everything built from one config. `close()` releases sockets and the store. */
export interface Adapters {
  readonly loaded: LoadedConfig;
  /** Per-operation counters of every AWS and Okta call (Okta under service "okta"). */
  readonly counters: AwsCallCounters;
  readonly limiters: AwsRateLimiters;
  readonly aws: AwsClients;
  readonly awsReaders: AwsReaders;
  /** The sso-admin writer the executor uses; its calls share the readers' sso-admin budget. */
  readonly identityCenterWriter: IdentityCenterWriter;
  /** The configured instance ARN, if any (else discovery picks the only instance). */
  readonly instanceArn?: InstanceArn;
  readonly memberRoleName: string;
  readonly inspectIam: boolean;
  /**
   * Okta, its SDK loaded and client built on the first call that needs them (the entitlement
   * actions and AWS-only discovery never do).
   */
  readonly okta: {
    readonly client: () => Promise<OktaClient>;
    /** The client's HTTP layer (auth, gate, counters), for the System Log and health checks. */
    readonly http: OktaHttp;
    readonly reader: OktaDirectoryReader & OktaPrincipalReader;
  };
  /** Opens the store on first call; later calls return the same store (after a failed open, try again). */
  store(): Promise<Store>;
  close(): Promise<void>;
}

/**
 * Builds the adapters. AWS credentials: `aws.assumeRoleArn` assumed from the source identity;
 * the source identity is AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) from
 * `env` when set, else the SDK's default chain. Region: aws.region, else AWS_REGION /
 * AWS_DEFAULT_REGION, else us-east-1. Endpoint: aws.endpoint, else AWS_ENDPOINT_URL.
 */
export function buildAdapters(loaded: LoadedConfig, options: WiringOptions = {}): Adapters {
  const env = options.env ?? process.env;
  const { config } = loaded;
  const counters = new AwsCallCounters();
  const rate = config.aws.rateLimit;
  const limiters = new AwsRateLimiters({
    counters,
    services: {
      'sso-admin': { ratePerSecond: rate.ssoAdmin },
      identitystore: { ratePerSecond: rate.identityStore },
      organizations: { ratePerSecond: rate.organizations },
      iam: { ratePerSecond: rate.iam },
      sts: { ratePerSecond: rate.sts },
    },
    ...(options.awsRetry ? { retry: options.awsRetry } : {}),
  });
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const endpoint = config.aws.endpoint ?? env.AWS_ENDPOINT_URL;
  const aws = createAwsClients(
    {
      region: config.aws.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      ...(accessKeyId && secretAccessKey
        ? {
            credentials: {
              accessKeyId,
              secretAccessKey,
              ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
      ...(config.aws.assumeRoleArn ? { assumeRoleArn: config.aws.assumeRoleArn } : {}),
    },
    limiters,
  );
  const memberRoleName = config.aws.discovery.memberRoleName;
  const awsReaders: AwsReaders = {
    identityCenter: new AwsIdentityCenterReader(aws),
    organizations: new AwsOrganizationsReader(aws),
    accountIam: new AwsAccountIamReader({
      managementIam: aws.iam,
      iamForAccount: (accountId, roleName) => aws.iamForAccount(accountId, roleName),
      memberRoleName,
    }),
  };
  const oktaConfig = config.okta;
  const oktaClient = lazyOktaClient({
    orgUrl: oktaConfig.orgUrl,
    gate: new OktaRequestGate({ counters, maxConcurrency: oktaConfig.maxConcurrency }),
    auth: oktaConfig.token
      ? { kind: 'ssws', token: oktaConfig.token.reveal() }
      : {
          kind: 'oauth',
          clientId: oktaConfig.oauth?.clientId ?? '',
          privateKey: oktaConfig.oauth?.privateKeyFile.reveal() ?? '',
          scopes: oktaConfig.oauth?.scopes ?? [],
          ...(oktaConfig.oauth?.keyId ? { keyId: oktaConfig.oauth.keyId } : {}),
        },
  });
  let store: Promise<Store> | undefined;
  return {
    loaded,
    counters,
    limiters,
    aws,
    awsReaders,
    identityCenterWriter: createIdentityCenterWriter(aws.ssoAdmin),
    ...(config.aws.instanceArn ? { instanceArn: config.aws.instanceArn } : {}),
    memberRoleName,
    inspectIam: config.aws.discovery.inspectIam,
    okta: {
      client: oktaClient,
      http: lazyOktaHttp(oktaClient),
      reader: new SdkOktaDirectoryReader({ client: oktaClient }),
    },
    store() {
      // A failed open is not kept: the next call (a warm Lambda invocation, a retry) opens anew.
      store ??= openStore(config.store).catch((error: unknown) => {
        store = undefined;
        throw error;
      });
      return store;
    },
    async close() {
      aws.destroy();
      const opened = await store?.catch(() => undefined);
      await opened?.close();
    },
  };
}

/** What `runDiscovery` needs from one config's adapters: both sources, the store, counters. */
export async function discoveryDependencies(adapters: Adapters): Promise<DiscoveryDependencies> {
  return {
    aws: adapters.awsReaders,
    okta: adapters.okta.reader,
    store: await adapters.store(),
    callStats: () => adapters.counters.snapshot(),
    ...(adapters.instanceArn ? { instanceArn: adapters.instanceArn } : {}),
    inspectIam: adapters.inspectIam,
  };
}
