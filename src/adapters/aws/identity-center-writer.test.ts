import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsSimulator } from '../../sim/aws/index.js';
import { startAwsSimulator } from '../../sim/aws/index.js';
import type { AccountAssignment } from '../../core/domain/identity-center.js';
import type { IdcUserId, ManagedPolicyArn } from '../../core/domain/ids.js';
import { AccountId, InstanceArn, PermissionSetArn } from '../../core/domain/ids.js';
import type { IdentityCenterWriter } from '../../ports/identity-center-writer.js';
import { IdentityCenterWriteError } from '../../ports/identity-center-writer.js';
import type { AwsClients } from './aws-clients.js';
import { createAwsClients } from './aws-clients.js';
import { AwsRateLimiters } from './aws-rate-limiters.js';
import { createIdentityCenterWriter } from './identity-center-writer.js';

const ACCOUNT = AccountId.parse('111111111111');
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess' as ManagedPolicyArn;

let sim: AwsSimulator;
let clients: AwsClients;
let limiters: AwsRateLimiters;
let writer: IdentityCenterWriter;
let instanceArn: InstanceArn;
let aliceId: IdcUserId;

beforeAll(async () => {
  sim = await startAwsSimulator({
    asyncLatencyMs: 20,
    scenario: { accounts: [{ id: ACCOUNT, name: 'dev' }] },
  });
  limiters = new AwsRateLimiters({
    defaults: { ratePerSecond: 200, maxConcurrency: 10 },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  clients = createAwsClients(
    { region: sim.region, endpoint: sim.endpoint, credentials: sim.credentials },
    limiters,
  );
  writer = createIdentityCenterWriter(clients.ssoAdmin);
  instanceArn = InstanceArn.parse(sim.instanceArn);
  aliceId = sim.control.pushUser({
    userName: 'alice@example.com',
    givenName: 'Alice',
    familyName: 'Example',
    displayName: 'Alice',
  }) as IdcUserId;
});

afterAll(async () => {
  clients.destroy();
  await sim.close();
});

async function settle(
  describe: () => Promise<{ status: string; failureReason?: string }>,
): Promise<{ status: string; failureReason?: string }> {
  for (let i = 0; i < 200; i += 1) {
    const status = await describe();
    if (status.status !== 'IN_PROGRESS') return status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('async request never finished');
}

describe('createIdentityCenterWriter against the AWS simulator', () => {
  it('creates a permission set with tags and changes every kind of policy on it', async () => {
    const created = await writer.createPermissionSet(instanceArn, {
      name: 'WriterTest',
      description: 'first',
      sessionDuration: 'PT2H',
      relayState: 'https://console.aws.amazon.com/',
      tags: { 'managed-by': 'okta-aws-sync', team: 'a' },
    });
    expect(PermissionSetArn.is(created.permissionSetArn)).toBe(true);
    expect(created.awsRequestId).toMatch(/\S/);
    const arn = created.permissionSetArn;

    await writer.attachManagedPolicy(instanceArn, arn, READ_ONLY);
    await writer.attachCustomerManagedPolicy(instanceArn, arn, { name: 'extra', path: '/team/' });
    await writer.putInlinePolicy(
      instanceArn,
      arn,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
      }),
    );
    await writer.putPermissionsBoundary(instanceArn, arn, {
      kind: 'managed',
      managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' as ManagedPolicyArn,
    });
    await writer.tagPermissionSet(instanceArn, arn, { team: 'b', env: 'prod' });
    await writer.untagPermissionSet(instanceArn, arn, ['env']);
    await writer.updatePermissionSet(instanceArn, arn, {
      description: 'second',
      sessionDuration: 'PT4H',
    });

    let ps = sim.control.dumpState().permissionSets.find((p) => p.arn === arn);
    expect(ps).toMatchObject({
      name: 'WriterTest',
      description: 'second',
      sessionDuration: 'PT4H',
      managedPolicies: [READ_ONLY],
      customerManagedPolicies: [{ Name: 'extra', Path: '/team/' }],
      tags: { 'managed-by': 'okta-aws-sync', team: 'b' },
    });
    // UpdatePermissionSet without RelayState clears it, as AWS does.
    expect(ps?.relayState).toBeUndefined();
    expect(ps?.inlinePolicy).toContain('s3:ListBucket');
    expect(ps?.permissionsBoundary).toBeDefined();

    await writer.detachManagedPolicy(instanceArn, arn, READ_ONLY);
    await writer.detachCustomerManagedPolicy(instanceArn, arn, { name: 'extra', path: '/team/' });
    await writer.deleteInlinePolicy(instanceArn, arn);
    await writer.deletePermissionsBoundary(instanceArn, arn);
    ps = sim.control.dumpState().permissionSets.find((p) => p.arn === arn);
    expect(ps?.managedPolicies).toEqual([]);
    expect(ps?.customerManagedPolicies).toEqual([]);
    expect(ps?.inlinePolicy).toBeUndefined();
    expect(ps?.permissionsBoundary).toBeUndefined();

    await writer.deletePermissionSet(instanceArn, arn);
    expect(sim.control.dumpState().permissionSets.some((p) => p.arn === arn)).toBe(false);
  });

  it('creates, provisions and deletes assignments asynchronously with pollable statuses', async () => {
    const { permissionSetArn } = await writer.createPermissionSet(instanceArn, {
      name: 'WriterAsync',
      tags: {},
    });
    const assignment: AccountAssignment = {
      instanceArn,
      accountId: ACCOUNT,
      permissionSetArn,
      principalType: 'USER',
      principalId: aliceId,
    };
    const creation = await writer.createAccountAssignment(assignment);
    expect(creation).toMatchObject({ kind: 'create-assignment', status: 'IN_PROGRESS' });
    expect(creation.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const created = await settle(() =>
      writer.describeAssignmentCreation(instanceArn, creation.requestId),
    );
    expect(created.status).toBe('SUCCEEDED');
    expect(sim.control.dumpState().assignments).toContainEqual({
      accountId: ACCOUNT,
      permissionSetArn,
      principalType: 'USER',
      principalId: aliceId,
    });

    const provisioning = await writer.provisionPermissionSet(instanceArn, permissionSetArn, {
      kind: 'account',
      accountId: ACCOUNT,
    });
    expect(provisioning.kind).toBe('provision');
    const provisioned = await settle(() =>
      writer.describeProvisioning(instanceArn, provisioning.requestId),
    );
    expect(provisioned.status).toBe('SUCCEEDED');

    const deletion = await writer.deleteAccountAssignment(assignment);
    const deleted = await settle(() =>
      writer.describeAssignmentDeletion(instanceArn, deletion.requestId),
    );
    expect(deleted.status).toBe('SUCCEEDED');
    expect(
      sim.control.dumpState().assignments.some((a) => a.permissionSetArn === permissionSetArn),
    ).toBe(false);
  });

  it('classifies failures: already exists, not found, retryable conflict, fatal validation', async () => {
    const { permissionSetArn } = await writer.createPermissionSet(instanceArn, {
      name: 'WriterErrors',
      tags: {},
    });
    const duplicate = await writer
      .createPermissionSet(instanceArn, { name: 'WriterErrors', tags: {} })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(IdentityCenterWriteError);
    expect(duplicate).toMatchObject({ kind: 'already-exists', code: 'ConflictException' });
    expect((duplicate as IdentityCenterWriteError).awsRequestId).toMatch(/\S/);

    await writer.attachManagedPolicy(instanceArn, permissionSetArn, READ_ONLY);
    await expect(
      writer.attachManagedPolicy(instanceArn, permissionSetArn, READ_ONLY),
    ).rejects.toMatchObject({ kind: 'already-exists' });
    await expect(
      writer.detachManagedPolicy(
        instanceArn,
        permissionSetArn,
        'arn:aws:iam::aws:policy/AdministratorAccess' as ManagedPolicyArn,
      ),
    ).rejects.toMatchObject({ kind: 'not-found', code: 'ResourceNotFoundException' });

    sim.control.setFaults({ UpdatePermissionSet: { conflictProbability: 1 } });
    try {
      const conflict = await writer
        .updatePermissionSet(instanceArn, permissionSetArn, { description: 'x' })
        .catch((error: unknown) => error);
      expect(conflict).toMatchObject({
        kind: 'conflict',
        code: 'ConflictException',
        retryable: true,
      });
    } finally {
      sim.control.setFaults({});
    }

    await expect(
      writer.updatePermissionSet(instanceArn, permissionSetArn, { sessionDuration: 'forever' }),
    ).rejects.toMatchObject({ kind: 'fatal', code: 'ValidationException', retryable: false });
  });

  it('sends every call, polls included, through the shared sso-admin limiter', async () => {
    limiters.counters.reset();
    const { permissionSetArn } = await writer.createPermissionSet(instanceArn, {
      name: 'WriterCounted',
      tags: {},
    });
    const provisioning = await writer.provisionPermissionSet(instanceArn, permissionSetArn, {
      kind: 'all-provisioned',
    });
    await settle(() => writer.describeProvisioning(instanceArn, provisioning.requestId));
    const counted = Object.fromEntries(
      limiters.counters
        .snapshot()
        .filter((stat) => stat.service === 'sso-admin')
        .map((stat) => [stat.operation, stat.calls]),
    );
    const simCounts = sim.control.calls().counts;
    expect(counted.CreatePermissionSet).toBe(1);
    expect(counted.ProvisionPermissionSet).toBe(1);
    expect(counted.DescribePermissionSetProvisioningStatus).toBeGreaterThanOrEqual(1);
    expect(counted.DescribePermissionSetProvisioningStatus).toBeLessThanOrEqual(
      simCounts['sso-admin:DescribePermissionSetProvisioningStatus'] ?? 0,
    );
  });

  it('surfaces throttling the call gate could not absorb as a retryable throttling error', async () => {
    const strict = new AwsRateLimiters({
      defaults: { ratePerSecond: 200 },
      retry: { maxThrottledAttempts: 1 },
    });
    const strictClients = createAwsClients(
      { region: sim.region, endpoint: sim.endpoint, credentials: sim.credentials },
      strict,
    );
    sim.control.setFaults({ CreatePermissionSet: { throttleProbability: 1 } });
    try {
      const error = await createIdentityCenterWriter(strictClients.ssoAdmin)
        .createPermissionSet(instanceArn, { name: 'WriterThrottled', tags: {} })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'throttling', retryable: true });
    } finally {
      sim.control.setFaults({});
      strictClients.destroy();
    }
  });
});
