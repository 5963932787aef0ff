import {
  AttachManagedPolicyToPermissionSetCommand,
  ConflictException,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeletePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  AccessDeniedException,
  ListInstancesCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdatePermissionSetCommand,
  type AccountAssignmentOperationStatus,
  type PrincipalType,
} from '@aws-sdk/client-sso-admin';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoAwsScenario } from '../aws-scenario.js';
import {
  startAwsSimulator,
  type AwsSimulator,
  type AwsSimulatorOptions,
} from '../aws-simulator.js';
import { awsSdkClients, type AwsSdkClients } from '../test-support/aws-sdk-clients.js';

const latency = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sso-admin edge behaviour', () => {
  let sim: AwsSimulator;
  let aws: AwsSdkClients;
  let readOnly: string;
  let admin: string;
  let prodGroup: string;
  let alice: string;

  const start = async (options: AwsSimulatorOptions = {}) => {
    sim = await startAwsSimulator({
      scenario: demoAwsScenario(),
      asyncLatencyMs: latency,
      quotas: { enabled: false },
      ...options,
    });
    aws = awsSdkClients(sim, { maxAttempts: 1 });
    const state = sim.control.dumpState();
    readOnly = state.permissionSets.find((p) => p.name === 'ReadOnly')!.arn;
    admin = state.permissionSets.find((p) => p.name === 'Admin')!.arn;
    prodGroup = state.identityStore.groups.find((g) => g.DisplayName === 'aws-prod-readonly')!
      .GroupId as string;
    alice = state.identityStore.users.find((u) => u.UserName === 'alice@example.com')!
      .UserId as string;
  };

  beforeEach(async () => start());
  afterEach(async () => {
    aws.destroy();
    await sim.close();
  });

  const tuple = (
    accountId: string,
    ps: string,
    principalId: string,
    principalType: PrincipalType = 'GROUP',
  ) => ({
    InstanceArn: sim.instanceArn,
    TargetId: accountId,
    TargetType: 'AWS_ACCOUNT' as const,
    PermissionSetArn: ps,
    PrincipalType: principalType,
    PrincipalId: principalId,
  });

  const create = async (t: ReturnType<typeof tuple>): Promise<AccountAssignmentOperationStatus> => {
    const out = await aws.ssoAdmin.send(new CreateAccountAssignmentCommand(t));
    expect(out.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
    await sleep(latency * 2);
    return (
      await aws.ssoAdmin.send(
        new DescribeAccountAssignmentCreationStatusCommand({
          InstanceArn: sim.instanceArn,
          AccountAssignmentCreationRequestId: out.AccountAssignmentCreationStatus!.RequestId,
        }),
      )
    ).AccountAssignmentCreationStatus!;
  };
  const remove = async (t: ReturnType<typeof tuple>): Promise<AccountAssignmentOperationStatus> => {
    const out = await aws.ssoAdmin.send(new DeleteAccountAssignmentCommand(t));
    expect(out.AccountAssignmentDeletionStatus?.Status).toBe('IN_PROGRESS');
    await sleep(latency * 2);
    return (
      await aws.ssoAdmin.send(
        new DescribeAccountAssignmentDeletionStatusCommand({
          InstanceArn: sim.instanceArn,
          AccountAssignmentDeletionRequestId: out.AccountAssignmentDeletionStatus!.RequestId,
        }),
      )
    ).AccountAssignmentDeletionStatus!;
  };
  const assignmentsOf = async (accountId: string, ps: string) =>
    (
      await aws.ssoAdmin.send(
        new ListAccountAssignmentsCommand({
          InstanceArn: sim.instanceArn,
          AccountId: accountId,
          PermissionSetArn: ps,
        }),
      )
    ).AccountAssignments ?? [];
  const reservedRoles = (accountId: string) =>
    (sim.control.dumpState().iam[accountId]?.roles ?? []).filter((r) =>
      r.name.startsWith('AWSReservedSSO_'),
    );

  it('a duplicate create succeeds and leaves one assignment', async () => {
    const t = tuple('222222222222', readOnly, prodGroup);
    expect((await create(t)).Status).toBe('SUCCEEDED');
    expect((await create(t)).Status).toBe('SUCCEEDED');
    expect(await assignmentsOf('222222222222', readOnly)).toEqual([
      {
        AccountId: '222222222222',
        PermissionSetArn: readOnly,
        PrincipalType: 'GROUP',
        PrincipalId: prodGroup,
      },
    ]);
  });

  it('deleting a missing assignment is accepted and then FAILS with "Assignment not found."', async () => {
    const status = await remove(tuple('444444444444', admin, prodGroup));
    expect(status.Status).toBe('FAILED');
    expect(status.FailureReason).toBe('Received a 404 status error: Assignment not found.');
  });

  it('deleting a missing assignment can be configured to fail synchronously', async () => {
    sim.control.setBehaviour({ deleteMissingAssignment: 'sync-not-found' });
    await expect(
      aws.ssoAdmin.send(
        new DeleteAccountAssignmentCommand(tuple('444444444444', admin, prodGroup)),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('delete right after create on the same tuple raises ConflictException', async () => {
    // A long latency keeps the create in progress however slow the machine is.
    sim.control.setAsyncLatency(60_000);
    const t = tuple('444444444444', admin, prodGroup);
    await aws.ssoAdmin.send(new CreateAccountAssignmentCommand(t));
    await expect(aws.ssoAdmin.send(new DeleteAccountAssignmentCommand(t))).rejects.toBeInstanceOf(
      ConflictException,
    );
  });

  it('DeletePermissionSet while it is provisioned raises ConflictException', async () => {
    const error = await aws.ssoAdmin
      .send(
        new DeletePermissionSetCommand({
          InstanceArn: sim.instanceArn,
          PermissionSetArn: readOnly,
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as Error).message).toMatch(/^Could not delete because/);
    expect((error as ConflictException).$metadata.httpStatusCode).toBe(400);
  });

  it('a write to a permission set while it is being provisioned raises ConflictException', async () => {
    sim.control.setAsyncLatency(60_000);
    await aws.ssoAdmin.send(
      new ProvisionPermissionSetCommand({
        InstanceArn: sim.instanceArn,
        PermissionSetArn: readOnly,
        TargetType: 'ALL_PROVISIONED_ACCOUNTS',
      }),
    );
    await expect(
      aws.ssoAdmin.send(
        new UpdatePermissionSetCommand({
          InstanceArn: sim.instanceArn,
          PermissionSetArn: readOnly,
          Description: 'x',
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
    // Another permission set is not affected.
    const other = await aws.ssoAdmin.send(
      new UpdatePermissionSetCommand({
        InstanceArn: sim.instanceArn,
        PermissionSetArn: admin,
        Description: 'x',
      }),
    );
    expect(other.$metadata.httpStatusCode).toBe(200);
  });

  it('concurrent-modification conflicts can be injected on permission-set writes', async () => {
    sim.control.setFaults({ AttachManagedPolicyToPermissionSet: { conflictProbability: 1 } });
    await expect(
      aws.ssoAdmin.send(
        new AttachManagedPolicyToPermissionSetCommand({
          InstanceArn: sim.instanceArn,
          PermissionSetArn: admin,
          ManagedPolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit',
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
  });

  it('UpdatePermissionSet without RelayState clears it', async () => {
    const created = await aws.ssoAdmin.send(
      new CreatePermissionSetCommand({
        InstanceArn: sim.instanceArn,
        Name: 'Relay',
        RelayState: 'https://console.aws.amazon.com/s3',
        SessionDuration: 'PT2H',
      }),
    );
    const arn = created.PermissionSet!.PermissionSetArn!;
    expect(created.PermissionSet!.RelayState).toBe('https://console.aws.amazon.com/s3');
    await aws.ssoAdmin.send(
      new UpdatePermissionSetCommand({
        InstanceArn: sim.instanceArn,
        PermissionSetArn: arn,
        Description: 'now described',
      }),
    );
    const described = (
      await aws.ssoAdmin.send(
        new DescribePermissionSetCommand({ InstanceArn: sim.instanceArn, PermissionSetArn: arn }),
      )
    ).PermissionSet!;
    expect(described.RelayState).toBeUndefined();
    expect(described.Description).toBe('now described');
    expect(described.SessionDuration).toBe('PT2H');
  });

  it('a policy change marks provisioned accounts LATEST_PERMISSION_SET_NOT_PROVISIONED until re-provisioned', async () => {
    const list = async (
      status?: 'LATEST_PERMISSION_SET_PROVISIONED' | 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
    ) =>
      (
        await aws.ssoAdmin.send(
          new ListAccountsForProvisionedPermissionSetCommand({
            InstanceArn: sim.instanceArn,
            PermissionSetArn: readOnly,
            ...(status ? { ProvisioningStatus: status } : {}),
          }),
        )
      ).AccountIds?.sort();
    expect(await list('LATEST_PERMISSION_SET_PROVISIONED')).toEqual([
      '222222222222',
      '333333333333',
    ]);
    expect(await list('LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([]);
    await aws.ssoAdmin.send(
      new PutInlinePolicyToPermissionSetCommand({
        InstanceArn: sim.instanceArn,
        PermissionSetArn: readOnly,
        InlinePolicy: '{"Version":"2012-10-17","Statement":[]}',
      }),
    );
    expect(await list('LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([
      '222222222222',
      '333333333333',
    ]);
    const toAccount = (
      await aws.ssoAdmin.send(
        new ListPermissionSetsProvisionedToAccountCommand({
          InstanceArn: sim.instanceArn,
          AccountId: '222222222222',
          ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
        }),
      )
    ).PermissionSets;
    expect(toAccount).toEqual([readOnly]);
    const started = await aws.ssoAdmin.send(
      new ProvisionPermissionSetCommand({
        InstanceArn: sim.instanceArn,
        PermissionSetArn: readOnly,
        TargetType: 'ALL_PROVISIONED_ACCOUNTS',
      }),
    );
    expect(started.PermissionSetProvisioningStatus?.Status).toBe('IN_PROGRESS');
    await sleep(latency * 2);
    const done = await aws.ssoAdmin.send(
      new DescribePermissionSetProvisioningStatusCommand({
        InstanceArn: sim.instanceArn,
        ProvisionPermissionSetRequestId: started.PermissionSetProvisioningStatus!.RequestId,
      }),
    );
    expect(done.PermissionSetProvisioningStatus?.Status).toBe('SUCCEEDED');
    expect(await list('LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([]);
    const role = reservedRoles('222222222222').find((r) =>
      r.name.startsWith('AWSReservedSSO_ReadOnly_'),
    )!;
    expect(role.inlinePolicies).toEqual(['AwsSSOInlinePolicy']);
  });

  it('the first assignment creates the reserved role and SAML provider; the last removal deletes the role; re-creation gets a new suffix', async () => {
    expect(reservedRoles('444444444444')).toEqual([]);
    const t = tuple('444444444444', admin, alice, 'USER');
    expect((await create(t)).Status).toBe('SUCCEEDED');
    const [role] = reservedRoles('444444444444');
    expect(role!.name).toMatch(/^AWSReservedSSO_Admin_[0-9a-f]{16}$/);
    expect(role!.path).toBe('/aws-reserved/sso.amazonaws.com/');
    expect(role!.attachedPolicies).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    const providers = sim.control.dumpState().iam['444444444444']!.samlProviders;
    expect(
      providers.filter((p) => /:saml-provider\/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$/.test(p)),
    ).toHaveLength(1);
    expect(JSON.parse(role!.trustPolicy).Statement[0].Principal.Federated).toMatch(
      /AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$/,
    );

    const second = tuple('444444444444', admin, prodGroup);
    expect((await create(second)).Status).toBe('SUCCEEDED');
    expect((await remove(t)).Status).toBe('SUCCEEDED');
    expect(reservedRoles('444444444444').map((r) => r.name)).toEqual([role!.name]);
    expect((await remove(second)).Status).toBe('SUCCEEDED');
    expect(reservedRoles('444444444444')).toEqual([]);
    expect(
      (
        await aws.ssoAdmin.send(
          new ListPermissionSetsProvisionedToAccountCommand({
            InstanceArn: sim.instanceArn,
            AccountId: '444444444444',
          }),
        )
      ).PermissionSets,
    ).toEqual([]);

    expect((await create(t)).Status).toBe('SUCCEEDED');
    const [again] = reservedRoles('444444444444');
    expect(again!.name).toMatch(/^AWSReservedSSO_Admin_[0-9a-f]{16}$/);
    expect(again!.name).not.toBe(role!.name);
  });

  it('a delegated administrator may manage member accounts but not the management account', async () => {
    const assumed = await aws.sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole',
        RoleSessionName: 'delegated',
      }),
    );
    const delegated = awsSdkClients(sim, {
      maxAttempts: 1,
      credentials: {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      },
    });
    try {
      await expect(delegated.ssoAdmin.send(new ListInstancesCommand({}))).rejects.toBeInstanceOf(
        AccessDeniedException,
      );
      sim.control.setBehaviour({ delegatedAdminAccountId: '222222222222' });
      expect((await delegated.ssoAdmin.send(new ListInstancesCommand({}))).Instances).toHaveLength(
        1,
      );
      const ok = await delegated.ssoAdmin.send(
        new CreateAccountAssignmentCommand(tuple('333333333333', admin, prodGroup)),
      );
      expect(ok.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
      await expect(
        delegated.ssoAdmin.send(
          new CreateAccountAssignmentCommand(tuple('111111111111', admin, prodGroup)),
        ),
      ).rejects.toBeInstanceOf(AccessDeniedException);
      // Billing is provisioned in the management account, so provisioning it everywhere is refused.
      const billing = sim.control.dumpState().permissionSets.find((p) => p.name === 'Billing')!.arn;
      await expect(
        delegated.ssoAdmin.send(
          new ProvisionPermissionSetCommand({
            InstanceArn: sim.instanceArn,
            PermissionSetArn: billing,
            TargetType: 'ALL_PROVISIONED_ACCOUNTS',
          }),
        ),
      ).rejects.toBeInstanceOf(AccessDeniedException);
    } finally {
      delegated.destroy();
    }
  });

  describe('async failures carry realistic FailureReasons', () => {
    it('principal not in the identity store', async () => {
      const ghost = `${sim.identityStoreId.slice(2)}-00000000-0000-4000-8000-000000000000`;
      const status = await create(tuple('222222222222', admin, ghost, 'USER'));
      expect(status.Status).toBe('FAILED');
      expect(status.FailureReason).toBe(
        `Received a 404 status error: the USER assignee ${ghost} was not found in directory ${sim.identityStoreId}`,
      );
    });

    it('account not in the organisation', async () => {
      const status = await create(tuple('999999999999', admin, prodGroup));
      expect(status.Status).toBe('FAILED');
      expect(status.FailureReason).toMatch(/999999999999 is not part of the organization/);
    });

    it('suspended account', async () => {
      const status = await create(tuple('666666666666', admin, prodGroup));
      expect(status.Status).toBe('FAILED');
      expect(status.FailureReason).toMatch(/666666666666 is suspended/);
    });

    it('permission set missing', async () => {
      const missing = `${sim.instanceArn.replace(':instance/', ':permissionSet/')}/ps-0000000000000000`;
      const status = await create(tuple('222222222222', missing, prodGroup));
      expect(status.Status).toBe('FAILED');
      expect(status.FailureReason).toBe(
        `Received a 404 status error: Permission set ${missing} not found.`,
      );
    });

    it('injected failure', async () => {
      sim.control.setFaults({
        'sso-admin:CreateAccountAssignment': { asyncFailureProbability: 1 },
      });
      const status = await create(tuple('222222222222', admin, prodGroup));
      expect(status.Status).toBe('FAILED');
      expect(status.FailureReason).toBe('An unexpected internal service exception was encountered');
      expect(await assignmentsOf('222222222222', admin)).toEqual([]);
    });

    it('a seeded simulator fails the same operations whatever order they arrive in', async () => {
      // Concurrent callers interleave differently on every run; a fault suite that counts
      // injected failures must not depend on that order.
      const failedUsers = async (order: 'forward' | 'reverse'): Promise<string[]> => {
        await sim.close();
        aws.destroy();
        await start({ seed: 7 });
        sim.control.setFaults({
          'sso-admin:CreateAccountAssignment': { asyncFailureProbability: 0.5 },
        });
        const users = sim.control.dumpState().identityStore.users.map((u) => u.UserId as string);
        const failed: string[] = [];
        for (const user of order === 'forward' ? users : [...users].reverse()) {
          const status = await create(tuple('222222222222', admin, user, 'USER'));
          if (status.Status === 'FAILED') failed.push(user);
        }
        return failed.sort();
      };
      const forward = await failedUsers('forward');
      const reverse = await failedUsers('reverse');
      expect(forward.length).toBeGreaterThan(0);
      expect(forward.length).toBeLessThan(sim.control.dumpState().identityStore.users.length);
      expect(reverse).toEqual(forward);
    });

    it('deleting the assignment of a deleted user fails, and the assignment stays', async () => {
      const t = tuple('222222222222', admin, alice, 'USER');
      expect((await create(t)).Status).toBe('SUCCEEDED');
      expect(sim.control.deleteUser(alice)).toBe(true);
      const status = await remove(t);
      expect(status.Status).toBe('FAILED');
      expect(status.FailureReason).toMatch(/the USER assignee .* was not found in directory/);
      expect(await assignmentsOf('222222222222', admin)).toHaveLength(1);
    });
  });

  describe('quotas', () => {
    it('a 16th outstanding CreateAccountAssignment is throttled', async () => {
      await sim.close();
      aws.destroy();
      await start({ asyncLatencyMs: 60_000 });
      const groups = [prodGroup, alice];
      for (let i = 0; i < 15; i++) {
        const accountId = [
          '222222222222',
          '333333333333',
          '444444444444',
          '555555555555',
          '111111111111',
        ][i % 5]!;
        const ps = [readOnly, admin, readOnly][Math.floor(i / 5)]!;
        await aws.ssoAdmin.send(
          new CreateAccountAssignmentCommand(
            tuple(accountId, ps, i < 10 ? groups[0]! : groups[1]!, i < 10 ? 'GROUP' : 'USER'),
          ),
        );
      }
      const error = await aws.ssoAdmin
        .send(new CreateAccountAssignmentCommand(tuple('222222222222', admin, alice, 'USER')))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThrottlingException);
      expect((error as Error).message).toMatch(/^Rate exceeded/);
    });

    it('a 4th concurrent ProvisionPermissionSet is throttled', async () => {
      await sim.close();
      aws.destroy();
      await start({ asyncLatencyMs: 60_000 });
      const ps = sim.control.dumpState().permissionSets.map((p) => p.arn);
      for (const arn of ps)
        await aws.ssoAdmin.send(
          new ProvisionPermissionSetCommand({
            InstanceArn: sim.instanceArn,
            PermissionSetArn: arn,
            TargetType: 'ALL_PROVISIONED_ACCOUNTS',
          }),
        );
      expect(ps).toHaveLength(3);
      await expect(
        aws.ssoAdmin.send(
          new ProvisionPermissionSetCommand({
            InstanceArn: sim.instanceArn,
            PermissionSetArn: ps[0]!,
            TargetType: 'ALL_PROVISIONED_ACCOUNTS',
          }),
        ),
      ).rejects.toBeInstanceOf(ThrottlingException);
    });

    it('more than 20 managed policies on a permission set exceed the service quota', async () => {
      sim.control.setQuotas({ policiesPerPermissionSet: 2 });
      await aws.ssoAdmin.send(
        new AttachManagedPolicyToPermissionSetCommand({
          InstanceArn: sim.instanceArn,
          PermissionSetArn: admin,
          ManagedPolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit',
        }),
      );
      await expect(
        aws.ssoAdmin.send(
          new AttachManagedPolicyToPermissionSetCommand({
            InstanceArn: sim.instanceArn,
            PermissionSetArn: admin,
            ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          }),
        ),
      ).rejects.toBeInstanceOf(ServiceQuotaExceededException);
    });

    it('attaching an already attached managed policy raises ConflictException; a duplicate name too', async () => {
      await expect(
        aws.ssoAdmin.send(
          new AttachManagedPolicyToPermissionSetCommand({
            InstanceArn: sim.instanceArn,
            PermissionSetArn: admin,
            ManagedPolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          }),
        ),
      ).rejects.toBeInstanceOf(ConflictException);
      await expect(
        aws.ssoAdmin.send(
          new CreatePermissionSetCommand({ InstanceArn: sim.instanceArn, Name: 'Admin' }),
        ),
      ).rejects.toThrow('PermissionSet with name Admin already exists.');
    });
  });
});
