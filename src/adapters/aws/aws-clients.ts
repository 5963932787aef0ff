import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AccountId } from '../../core/domain/ids.js';
import type { AwsRateLimiters } from './aws-rate-limiters.js';

/** Where and as whom to reach AWS. */
export interface AwsConnectionOptions {
  /** The Identity Center home region; Organizations and IAM are global and sign for us-east-1. */
  readonly region: string;
  /** Endpoint override (simulators, VPC endpoints); one endpoint for every service. */
  readonly endpoint?: string;
  /** Static credentials or a provider; default the SDK's default chain (env, profile, role). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** A role to assume first, with `credentials` as the source identity. */
  readonly assumeRoleArn?: string;
  /** RoleSessionName for every AssumeRole. Default "okta-aws-sync". */
  readonly sessionName?: string;
}

/** The management-account clients, all instrumented with the shared limiters. */
export interface AwsClients {
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  readonly organizations: OrganizationsClient;
  /** IAM of the account the credentials belong to (the management account). */
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly limiters: AwsRateLimiters;
  /**
   * An IAM client for a member account, with credentials from STS AssumeRole into
   * `arn:<partition>:iam::<accountId>:role/<roleName>`. The AssumeRole call happens on first use
   * and is refreshed before expiry; an account that refuses surfaces as the error of the first
   * IAM call (AccessDenied from STS).
   */
  iamForAccount(accountId: AccountId, roleName: string, partition?: string): IAMClient;
  /** Closes every client's sockets. */
  destroy(): void;
}

const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Builds the SDK v3 clients. SDK retries are off (maxAttempts 1) because the call gate of
 * `limiters` retries throttles and transient failures itself, pacing every attempt against the
 * shared budget; SDK retries would bypass it.
 */
export function createAwsClients(
  options: AwsConnectionOptions,
  limiters: AwsRateLimiters,
): AwsClients {
  const sessionName = options.sessionName ?? 'okta-aws-sync';
  const base = {
    region: options.region,
    maxAttempts: 1,
    // Resolve each command's middleware stack once per client instead of on every call: the
    // per-call resolution was a sixth of the SDK's CPU in serve. Our one middleware (the call
    // gate) is added at construction, before any call, so the cached stacks include it.
    cacheMiddleware: true,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const sourceSts = limiters.instrument(
    new STSClient({
      ...base,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    }),
    'sts',
  );
  const managementCredentials = options.assumeRoleArn
    ? assumedRoleProvider(sourceSts, options.assumeRoleArn, sessionName)
    : options.credentials;
  const config = {
    ...base,
    ...(managementCredentials ? { credentials: managementCredentials } : {}),
  };
  const sts = options.assumeRoleArn ? limiters.instrument(new STSClient(config), 'sts') : sourceSts;
  const iamClients = new Map<string, IAMClient>();
  const clients: AwsClients = {
    ssoAdmin: limiters.instrument(new SSOAdminClient(config), 'sso-admin'),
    identityStore: limiters.instrument(new IdentitystoreClient(config), 'identitystore'),
    organizations: limiters.instrument(new OrganizationsClient(config), 'organizations'),
    iam: limiters.instrument(new IAMClient(config), 'iam'),
    sts,
    limiters,
    iamForAccount(accountId, roleName, partition = 'aws') {
      const roleArn = `arn:${partition}:iam::${accountId}:role/${roleName}`;
      let client = iamClients.get(roleArn);
      if (!client) {
        client = limiters.instrument(
          new IAMClient({ ...base, credentials: assumedRoleProvider(sts, roleArn, sessionName) }),
          'iam',
        );
        iamClients.set(roleArn, client);
      }
      return client;
    },
    destroy() {
      for (const client of [
        clients.ssoAdmin,
        clients.identityStore,
        clients.organizations,
        clients.iam,
        sourceSts,
        sts,
        ...iamClients.values(),
      ]) {
        client.destroy();
      }
    },
  };
  return clients;
}

/**
 * A credentials provider that assumes `roleArn` through `sts` and caches the session until five
 * minutes before it expires. Concurrent first uses share one AssumeRole call.
 */
export function assumedRoleProvider(
  sts: STSClient,
  roleArn: string,
  sessionName: string,
): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    if (
      cached &&
      (!cached.expiration || cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)
    ) {
      return Promise.resolve(cached);
    }
    pending ??= sts
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }))
      .then((output) => {
        const credentials = output.Credentials;
        if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
          throw new Error(`AssumeRole ${roleArn} returned no credentials`);
        }
        cached = {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
          ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
        };
        return cached;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
