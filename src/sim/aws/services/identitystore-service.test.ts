import {
  ConflictException,
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DescribeGroupCommand,
  DescribeUserCommand,
  GetUserIdCommand,
  IsMemberInGroupsCommand,
  ListGroupsCommand,
  ResourceNotFoundException,
  UpdateGroupCommand,
  UpdateUserCommand,
  ValidationException,
} from '@aws-sdk/client-identitystore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAwsScenario } from '../aws-scenario.js';
import { startAwsSimulator, type AwsSimulator } from '../aws-simulator.js';
import { awsSdkClients, type AwsSdkClients } from '../test-support/aws-sdk-clients.js';
import { validateModelOutput } from '../test-support/model-output-validator.js';

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

describe('identitystore UpdateUser and UpdateGroup', () => {
  let sim: AwsSimulator;
  let aws: AwsSdkClients;
  let userId: string;
  let otherUserId: string;
  let groupId: string;
  beforeAll(async () => {
    sim = await startAwsSimulator({ scenario: demoAwsScenario(), quotas: { enabled: false } });
    aws = awsSdkClients(sim, { maxAttempts: 1 });
    const create = async (userName: string): Promise<string> =>
      (
        await aws.identityStore.send(
          new CreateUserCommand({
            IdentityStoreId: sim.identityStoreId,
            UserName: userName,
            DisplayName: 'Ivy Ito',
            Name: { GivenName: 'Ivy', FamilyName: 'Ito' },
          }),
        )
      ).UserId!;
    userId = await create('ivy@example.com');
    otherUserId = await create('jon@example.com');
    groupId = (
      await aws.identityStore.send(
        new CreateGroupCommand({ IdentityStoreId: sim.identityStoreId, DisplayName: 'aws-ivy' }),
      )
    ).GroupId!;
  });
  afterAll(async () => {
    aws.destroy();
    await sim.close();
  });

  it('applies the operations to the user and answers {}; DescribeUser shows them', async () => {
    const out = await aws.identityStore.send(
      new UpdateUserCommand({
        IdentityStoreId: sim.identityStoreId,
        UserId: userId,
        Operations: [
          { AttributePath: 'userName', AttributeValue: 'ivy.ito@example.com' },
          { AttributePath: 'displayName', AttributeValue: 'Ivy I. Ito' },
          { AttributePath: 'name.familyName', AttributeValue: 'Ito-Lane' },
          { AttributePath: 'title', AttributeValue: 'Engineer' },
          {
            AttributePath: 'emails',
            AttributeValue: [{ value: 'ivy.ito@example.com', type: 'work', primary: true }],
          },
        ],
      }),
    );
    const { $metadata: _m, ...body } = out;
    expect(body).toEqual({});
    expect(validateModelOutput('identitystore', 'UpdateUser', body)).toEqual([]);
    const described = await aws.identityStore.send(
      new DescribeUserCommand({ IdentityStoreId: sim.identityStoreId, UserId: userId }),
    );
    expect(described).toMatchObject({
      UserName: 'ivy.ito@example.com',
      DisplayName: 'Ivy I. Ito',
      Name: { GivenName: 'Ivy', FamilyName: 'Ito-Lane' },
      Title: 'Engineer',
      Emails: [{ Value: 'ivy.ito@example.com', Type: 'work', Primary: true }],
    });
    const { $metadata: _d, ...describedBody } = described;
    expect(validateModelOutput('identitystore', 'DescribeUser', describedBody)).toEqual([]);
  });

  it('renames a group and changes its description; DescribeGroup shows them', async () => {
    await aws.identityStore.send(
      new UpdateGroupCommand({
        IdentityStoreId: sim.identityStoreId,
        GroupId: groupId,
        Operations: [
          { AttributePath: 'displayName', AttributeValue: 'aws-ivy-renamed' },
          { AttributePath: 'description', AttributeValue: 'renamed' },
        ],
      }),
    );
    const described = await aws.identityStore.send(
      new DescribeGroupCommand({ IdentityStoreId: sim.identityStoreId, GroupId: groupId }),
    );
    expect(described).toMatchObject({ DisplayName: 'aws-ivy-renamed', Description: 'renamed' });
    const { $metadata: _d, ...body } = described;
    expect(validateModelOutput('identitystore', 'DescribeGroup', body)).toEqual([]);
  });

  it('an unknown attribute path is a ValidationException naming it, and nothing changes', async () => {
    const error = await aws.identityStore
      .send(
        new UpdateUserCommand({
          IdentityStoreId: sim.identityStoreId,
          UserId: otherUserId,
          Operations: [
            { AttributePath: 'displayName', AttributeValue: 'Should Not Stick' },
            { AttributePath: 'shoeSize', AttributeValue: '42' },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain('shoeSize');
    const described = await aws.identityStore.send(
      new DescribeUserCommand({ IdentityStoreId: sim.identityStoreId, UserId: otherUserId }),
    );
    expect(described.DisplayName).toBe('Ivy Ito');
    const groupError = await aws.identityStore
      .send(
        new UpdateGroupCommand({
          IdentityStoreId: sim.identityStoreId,
          GroupId: groupId,
          Operations: [{ AttributePath: 'externalIds', AttributeValue: 'x' }],
        }),
      )
      .catch((e: unknown) => e);
    expect(groupError).toBeInstanceOf(ValidationException);
    expect((groupError as Error).message).toContain('externalIds');
  });

  it('a missing user or group is ResourceNotFoundException with ResourceType and ResourceId', async () => {
    const missing = `${sim.identityStoreId.slice(2)}-00000000-0000-4000-8000-000000000000`;
    const userError = await aws.identityStore
      .send(
        new UpdateUserCommand({
          IdentityStoreId: sim.identityStoreId,
          UserId: missing,
          Operations: [{ AttributePath: 'displayName', AttributeValue: 'Nobody' }],
        }),
      )
      .catch((e: unknown) => e);
    expect(userError).toBeInstanceOf(ResourceNotFoundException);
    expect(userError).toMatchObject({ ResourceType: 'USER', ResourceId: missing });
    expect((userError as ResourceNotFoundException).RequestId).toMatch(/^[0-9a-f-]{36}$/);
    const groupError = await aws.identityStore
      .send(
        new UpdateGroupCommand({
          IdentityStoreId: sim.identityStoreId,
          GroupId: missing,
          Operations: [{ AttributePath: 'displayName', AttributeValue: 'aws-nobody' }],
        }),
      )
      .catch((e: unknown) => e);
    expect(groupError).toBeInstanceOf(ResourceNotFoundException);
    expect(groupError).toMatchObject({ ResourceType: 'GROUP', ResourceId: missing });
  });

  it('renaming onto the name of another principal is ConflictException UNIQUENESS_CONSTRAINT_VIOLATION', async () => {
    const groupConflict = await aws.identityStore
      .send(
        new UpdateGroupCommand({
          IdentityStoreId: sim.identityStoreId,
          GroupId: groupId,
          Operations: [{ AttributePath: 'displayName', AttributeValue: 'AWS-DEV-ADMIN' }],
        }),
      )
      .catch((e: unknown) => e);
    expect(groupConflict).toBeInstanceOf(ConflictException);
    expect((groupConflict as ConflictException).Reason).toBe('UNIQUENESS_CONSTRAINT_VIOLATION');
    const userConflict = await aws.identityStore
      .send(
        new UpdateUserCommand({
          IdentityStoreId: sim.identityStoreId,
          UserId: otherUserId,
          Operations: [{ AttributePath: 'userName', AttributeValue: 'IVY.ITO@example.com' }],
        }),
      )
      .catch((e: unknown) => e);
    expect(userConflict).toBeInstanceOf(ConflictException);
    expect((userConflict as ConflictException).Reason).toBe('UNIQUENESS_CONSTRAINT_VIOLATION');
    // Re-sending a principal's own name (as SCIM push does on every profile update) is no conflict.
    await aws.identityStore.send(
      new UpdateUserCommand({
        IdentityStoreId: sim.identityStoreId,
        UserId: otherUserId,
        Operations: [{ AttributePath: 'userName', AttributeValue: 'jon@example.com' }],
      }),
    );
    const described = await aws.identityStore.send(
      new DescribeGroupCommand({ IdentityStoreId: sim.identityStoreId, GroupId: groupId }),
    );
    expect(described.DisplayName).toBe('aws-ivy-renamed');
  });
});
