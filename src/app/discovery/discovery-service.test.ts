/**
 * Scheduling of discovery's reads, against the AWS simulator through the real SDK clients: a read
 * starts as soon as its own inputs are in, not when every earlier read has finished.
 */
import { UpdatePermissionSetCommand } from '@aws-sdk/client-sso-admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AwsAccountIamReader } from '../../adapters/aws/account-iam-reader.js';
import { createAwsClients, type AwsClients } from '../../adapters/aws/aws-clients.js';
import { AwsRateLimiters } from '../../adapters/aws/aws-rate-limiters.js';
import { AwsIdentityCenterReader } from '../../adapters/aws/identity-center-reader.js';
import { AwsOrganizationsReader } from '../../adapters/aws/organizations-reader.js';
import type { IdentityCenterReader } from '../../ports/aws-readers.js';
import { generateAwsScenario, startAwsSimulator, type AwsSimulator } from '../../sim/aws/index.js';
import { runDiscovery } from './discovery-service.js';

let aws: AwsSimulator;
let clients: AwsClients;

beforeAll(async () => {
  aws = await startAwsSimulator({
    scenario: generateAwsScenario({
      accounts: 6,
      permissionSets: 4,
      users: 12,
      groups: 4,
      assignments: 15,
      provisionedShare: 0.3,
      seed: 7,
    }),
    quotas: { enabled: false },
  });
  clients = createAwsClients(
    { region: aws.region, endpoint: aws.endpoint, credentials: aws.credentials },
    new AwsRateLimiters({ retry: { baseDelayMs: 5, maxDelayMs: 50 } }),
  );
});
afterAll(async () => {
  clients?.destroy();
  await aws?.close();
});

const assignmentsListed = (): number =>
  aws.control.calls().counts['sso-admin:ListAccountAssignments'] ?? 0;

/** Resolves true once `condition` holds, or false after `limitMs` (a deadline, not a measure). */
async function until(condition: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

function readers(identityCenter: IdentityCenterReader = new AwsIdentityCenterReader(clients)) {
  return {
    identityCenter,
    organizations: new AwsOrganizationsReader(clients),
    accountIam: new AwsAccountIamReader({
      managementIam: clients.iam,
      iamForAccount: (accountId, roleName) => clients.iamForAccount(accountId, roleName),
    }),
  };
}

describe('runDiscovery read scheduling', () => {
  it('lists assignments while the identity store is still being read', async () => {
    const reader = new AwsIdentityCenterReader(clients);
    let assignmentsBeforeIdentityStore: boolean | undefined;
    // The identity store read is held back until sso-admin has answered a ListAccountAssignments.
    // If assignments waited for the identity store, the gate would only open at its deadline.
    const identityCenter: IdentityCenterReader = Object.assign(
      Object.create(reader) as AwsIdentityCenterReader,
      {
        readIdentityStore: async (
          ...args: Parameters<IdentityCenterReader['readIdentityStore']>
        ) => {
          assignmentsBeforeIdentityStore = await until(() => assignmentsListed() > 0, 10_000);
          return reader.readIdentityStore(...args);
        },
      },
    );
    aws.control.resetCalls();
    const { inventory } = await runDiscovery(
      {
        aws: readers(identityCenter),
        callStats: () => clients.limiters.counters.snapshot(),
        inspectIam: false,
      },
      { source: 'aws' },
    );
    expect(assignmentsBeforeIdentityStore).toBe(true);
    const truth = aws.control.dumpState();
    expect(inventory.aws?.identityCenter.assignments).toHaveLength(truth.assignments.length);
    expect(inventory.aws?.identityCenter.users).toHaveLength(truth.identityStore.users.length);
  });

  it('reads provisioning status: an edited permission set is outdated where provisioned', async () => {
    const truth = aws.control.dumpState();
    const edited = truth.provisioned[0]?.permissionSetArn ?? '';
    const provisionedTo = truth.provisioned
      .filter((p) => p.permissionSetArn === edited)
      .map((p) => p.accountId)
      .sort();
    // An edit flips every account the set is provisioned to until it is provisioned again.
    await clients.ssoAdmin.send(
      new UpdatePermissionSetCommand({
        InstanceArn: aws.instanceArn,
        PermissionSetArn: edited,
        Description: 'edited after provisioning',
      }),
    );
    aws.control.resetCalls();
    const { inventory } = await runDiscovery(
      {
        aws: readers(),
        callStats: () => clients.limiters.counters.snapshot(),
        inspectIam: false,
      },
      { source: 'aws' },
    );
    const sets = inventory.aws?.identityCenter.permissionSets ?? [];
    expect(sets.find((p) => p.permissionSetArn === edited)?.provisionedTo).toEqual(
      provisionedTo.map((accountId) => ({
        accountId,
        status: 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
      })),
    );
    for (const other of sets.filter((p) => p.permissionSetArn !== edited))
      for (const target of other.provisionedTo)
        expect(target.status).toBe('LATEST_PERMISSION_SET_PROVISIONED');
    // One unfiltered and one outdated listing per provisioned set, one for a set provisioned nowhere.
    const provisionedSets = new Set(truth.provisioned.map((p) => p.permissionSetArn)).size;
    expect(aws.control.calls().counts['sso-admin:ListAccountsForProvisionedPermissionSet']).toBe(
      provisionedSets * 2 + (truth.permissionSets.length - provisionedSets),
    );
  });
});
