import {
  ConflictException,
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GetUserIdCommand,
  IsMemberInGroupsCommand,
  ListGroupsCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-identitystore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAwsScenario } from '../aws-scenario.js';
import { startAwsSimulator, type AwsSimulator } from '../aws-simulator.js';
import { awsSdkClients, type AwsSdkClients } from '../test-support/aws-sdk-clients.js';

describe('identitystore writes (SCIM push) and lookups', () => {
  let sim: AwsSimulator;
  let aws: AwsSdkClients;
  beforeAll(async () => {
    sim = await startAwsSimulator({ scenario: demoAwsScenario(), quotas: { enabled: false } });
    aws = awsSdkClients(sim, { maxAttempts: 1 });
  });
  afterAll(async () => {
    aws.destroy();
    await sim.close();
  });

  const user = (userName: string) => ({
    IdentityStoreId: sim.identityStoreId,
    UserName: userName,
    DisplayName: 'Frank Fox',
    Name: { GivenName: 'Frank', FamilyName: 'Fox' },
  });

  it('creates a user with an id prefixed by the identity store id, resolvable by userName', async () => {
    const created = await aws.identityStore.send(new CreateUserCommand(user('frank@example.com')));
    expect(created.UserId).toMatch(
      new RegExp(
        `^${sim.identityStoreId.slice(2)}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
      ),
    );
    const found = await aws.identityStore.send(
      new GetUserIdCommand({
        IdentityStoreId: sim.identityStoreId,
        AlternateIdentifier: {
          UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'frank@example.com' },
        },
      }),
    );
    expect(found.UserId).toBe(created.UserId);
  });

  it('requires UserName, DisplayName and both name parts although the model marks them optional', async () => {
    const { DisplayName: _d, ...withoutDisplayName } = user('gina@example.com');
    const error = await aws.identityStore
      .send(new CreateUserCommand(withoutDisplayName))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain("'displayName'");
    expect((error as ValidationException).RequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('duplicate userName, group name and membership are ConflictException UNIQUENESS_CONSTRAINT_VIOLATION', async () => {
    const dup = await aws.identityStore
      .send(new CreateUserCommand(user('ALICE@example.com')))
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConflictException);
    expect((dup as ConflictException).Reason).toBe('UNIQUENESS_CONSTRAINT_VIOLATION');
    await expect(
      aws.identityStore.send(
        new CreateGroupCommand({
          IdentityStoreId: sim.identityStoreId,
          DisplayName: 'aws-dev-admin',
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
    const group = await aws.identityStore.send(
      new CreateGroupCommand({ IdentityStoreId: sim.identityStoreId, DisplayName: 'aws-new-team' }),
    );
    const member = await aws.identityStore.send(new CreateUserCommand(user('hank@example.com')));
    await aws.identityStore.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId: sim.identityStoreId,
        GroupId: group.GroupId,
        MemberId: { UserId: member.UserId! },
      }),
    );
    await expect(
      aws.identityStore.send(
        new CreateGroupMembershipCommand({
          IdentityStoreId: sim.identityStoreId,
          GroupId: group.GroupId,
          MemberId: { UserId: member.UserId! },
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
    const check = await aws.identityStore.send(
      new IsMemberInGroupsCommand({
        IdentityStoreId: sim.identityStoreId,
        MemberId: { UserId: member.UserId! },
        GroupIds: [group.GroupId!],
      }),
    );
    expect(check.Results).toEqual([
      { GroupId: group.GroupId!, MemberId: { UserId: member.UserId! }, MembershipExists: true },
    ]);
    await aws.identityStore.send(
      new DeleteUserCommand({ IdentityStoreId: sim.identityStoreId, UserId: member.UserId }),
    );
    const after = await aws.identityStore
      .send(
        new IsMemberInGroupsCommand({
          IdentityStoreId: sim.identityStoreId,
          MemberId: { UserId: member.UserId! },
          GroupIds: [group.GroupId!],
        }),
      )
      .catch((e: unknown) => e);
    expect(after).toBeInstanceOf(ResourceNotFoundException);
  });

  it('reserved names are refused', async () => {
    await expect(
      aws.identityStore.send(
        new CreateGroupCommand({
          IdentityStoreId: sim.identityStoreId,
          DisplayName: 'AWSAdministrators',
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('the deprecated Filters select by DisplayName; another attribute path is a ValidationException', async () => {
    const out = await aws.identityStore.send(
      new ListGroupsCommand({
        IdentityStoreId: sim.identityStoreId,
        Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'aws-dev-admin' }],
      }),
    );
    expect(out.Groups?.map((g) => g.DisplayName)).toEqual(['aws-dev-admin']);
    await expect(
      aws.identityStore.send(
        new ListGroupsCommand({
          IdentityStoreId: sim.identityStoreId,
          Filters: [{ AttributePath: 'Description', AttributeValue: 'x' }],
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('an unknown identity store is ResourceNotFound with ResourceType IDENTITY_STORE', async () => {
    const error = await aws.identityStore
      .send(new ListGroupsCommand({ IdentityStoreId: 'd-0000000000' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).ResourceType).toBe('IDENTITY_STORE');
  });
});
