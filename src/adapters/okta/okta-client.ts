/**
 * The Okta SDK client, built on first use. `@okta/okta-sdk-nodejs` is a large CommonJS package
 * (about half the Lambda bundle, hundreds of milliseconds to evaluate) that many runs never call:
 * the Lambda entitlement actions, `discover --source aws`. So nothing imports it statically except
 * for types; `createOktaClient` loads it with `import()` (in the Lambda bundle, esbuild turns that
 * into a call of the package's module wrapper, run then and not at the bundle's import).
 */
import type { Client } from '@okta/okta-sdk-nodejs';
import type { OktaHttp } from './okta-log-reader.js';
import { gatedRequestExecutor, OktaRequestGate } from './okta-request-gate.js';

/** SSWS token, or an OAuth 2.0 service app (private_key_jwt), as the config allows. */
export type OktaAuth =
  | { readonly kind: 'ssws'; readonly token: string }
  | {
      readonly kind: 'oauth';
      readonly clientId: string;
      readonly privateKey: string;
      readonly keyId?: string;
      readonly scopes: readonly string[];
    };

export interface OktaClientOptions {
  readonly orgUrl: string;
  readonly auth: OktaAuth;
  /** The limits every request of this client runs within. Default: a gate with default limits. */
  readonly gate?: OktaRequestGate;
}

/** The client, built (and the SDK loaded) when first asked for; the same client afterwards. */
export type OktaClientSource = () => Promise<Client>;

/**
 * Loads the SDK and builds the official client, configured for a sync service: every field passed
 * explicitly (so a stray ~/.okta/okta.yaml or OKTA_CLIENT_* variable cannot redirect it), the
 * response cache off (it serves stale objects with no TTL, okta.md §6.4), and the request gate as
 * the executor.
 */
export async function createOktaClient(options: OktaClientOptions): Promise<Client> {
  const sdk = await import('@okta/okta-sdk-nodejs');
  const common = {
    orgUrl: options.orgUrl,
    cacheMiddleware: null,
    requestExecutor: gatedRequestExecutor(
      sdk.RequestExecutor,
      options.gate ?? new OktaRequestGate(),
    ),
  };
  const { auth } = options;
  if (auth.kind === 'ssws') {
    return new sdk.Client({ ...common, token: auth.token, authorizationMode: 'SSWS' });
  }
  return new sdk.Client({
    ...common,
    authorizationMode: 'PrivateKey',
    clientId: auth.clientId,
    privateKey: auth.privateKey,
    scopes: [...auth.scopes],
    ...(auth.keyId ? { keyId: auth.keyId } : {}),
  });
}

/**
 * A source that builds the client on its first call and returns that client from then on. A
 * failed build is not kept: the next call tries again.
 */
export function lazyOktaClient(options: OktaClientOptions): OktaClientSource {
  let client: Promise<Client> | undefined;
  return () => {
    client ??= createOktaClient(options).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
}

/** The client's HTTP layer (SSWS or OAuth, the gate, its counters), the client built on first use. */
export function lazyOktaHttp(client: OktaClientSource): OktaHttp {
  return {
    async http(uri, request) {
      const http = (await client()).http as unknown as OktaHttp;
      return http.http(uri, request);
    },
  };
}
