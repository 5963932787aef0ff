import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListUsersCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { Client as OktaClient } from '@okta/okta-sdk-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { demoLogins, DEMO_ACCOUNTS } from '../../src/sim/scenarios/demo-scenario.js';
import { exited, firstLine, spawnCli } from '../support/spawn-cli.js';

interface Endpoints {
  aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  okta: { orgUrl: string; token: string };
}

describe('okta-aws-sync sim', () => {
  const children: ReturnType<typeof spawnCli>[] = [];
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('serves the demo organisation to the real SDKs and stops on SIGTERM', async () => {
    const child = spawnCli([
      '--json',
      'sim',
      '--scenario',
      'demo',
      '--aws-port',
      '0',
      '--okta-port',
      '0',
    ]);
    children.push(child);
    const endpoints = JSON.parse(
      await firstLine(child, (line) => line.startsWith('{')),
    ) as Endpoints;
    expect(endpoints.aws.region).toBe('us-east-1');
    expect(endpoints.okta.token).toBe(process.env.OKTA_API_TOKEN ?? 'sim-okta-token');

    const config = {
      endpoint: endpoints.aws.endpoint,
      region: endpoints.aws.region,
      credentials: {
        accessKeyId: endpoints.aws.accessKeyId,
        secretAccessKey: endpoints.aws.secretAccessKey,
      },
    };
    const accounts = await new OrganizationsClient(config).send(new ListAccountsCommand({}));
    const ids = new Set<string>();
    let next = accounts.NextToken;
    for (const account of accounts.Accounts ?? []) ids.add(account.Id!);
    while (next) {
      const page = await new OrganizationsClient(config).send(
        new ListAccountsCommand({ NextToken: next }),
      );
      for (const account of page.Accounts ?? []) ids.add(account.Id!);
      next = page.NextToken;
    }
    expect([...ids].sort()).toEqual(Object.values(DEMO_ACCOUNTS).sort());

    const instances = await new SSOAdminClient(config).send(new ListInstancesCommand({}));
    const identityStoreId = instances.Instances?.[0]?.IdentityStoreId;
    expect(identityStoreId).toMatch(/^d-[0-9a-f]{10}$/);

    const okta = new OktaClient({
      orgUrl: endpoints.okta.orgUrl,
      token: endpoints.okta.token,
      cacheMiddleware: null,
    });
    const logins: string[] = [];
    for await (const user of await okta.userApi.listUsers({ limit: 15 })) {
      if (user) logins.push(user.profile!.login!);
    }
    // A plain list leaves deactivated users out, as Okta does.
    expect(logins.length).toBe(demoLogins().length - 1);

    // SCIM push: app-assigned users appear in the identity store.
    const identitystore = new IdentitystoreClient(config);
    let pushed = 0;
    for (let attempt = 0; attempt < 50 && pushed === 0; attempt++) {
      const page = await identitystore.send(
        new ListUsersCommand({ IdentityStoreId: identityStoreId }),
      );
      pushed = page.Users?.length ?? 0;
      if (pushed === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(pushed).toBeGreaterThan(0);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('rejects a bad port with a usage error', async () => {
    const child = spawnCli(['sim', '--aws-port', 'seventy']);
    children.push(child);
    expect(await exited(child)).toBe(2);
  });
});
