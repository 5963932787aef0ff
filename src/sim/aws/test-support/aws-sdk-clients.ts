import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsSimulator } from '../aws-simulator.js';

/** The five real SDK v3 clients, pointed at a running simulator. */
export interface AwsSdkClients {
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  readonly organizations: OrganizationsClient;
  readonly iam: IAMClient;
  readonly sts: STSClient;
  destroy(): void;
}

/**
 * Builds SDK clients for a simulator. `maxAttempts: 1` turns SDK retries off; other credentials
 * (e.g. from STS AssumeRole) can be passed instead of the management keys.
 */
export function awsSdkClients(
  sim: Pick<AwsSimulator, 'endpoint' | 'region' | 'credentials'>,
  options: {
    maxAttempts?: number;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  } = {},
): AwsSdkClients {
  const base = {
    endpoint: sim.endpoint,
    credentials: options.credentials ?? sim.credentials,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
  const clients = {
    ssoAdmin: new SSOAdminClient({ ...base, region: sim.region }),
    identityStore: new IdentitystoreClient({ ...base, region: sim.region }),
    organizations: new OrganizationsClient({ ...base, region: 'us-east-1' }),
    iam: new IAMClient({ ...base, region: 'us-east-1' }),
    sts: new STSClient({ ...base, region: 'us-east-1' }),
  };
  return {
    ...clients,
    destroy: () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}
