import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAwsSimulator } from '../aws/aws-simulator.js';
import type { AwsSimulator } from '../aws/aws-simulator.js';
import { startOktaSimulator } from './okta-simulator.js';
import type { OktaSimulator } from './okta-simulator.js';

const GROUP = 'aws#prod#AdministratorAccess#123456789012';
let aws: AwsSimulator;
let okta: OktaSimulator;
let ids: IdentitystoreClient;

beforeEach(async () => {
  aws = await startAwsSimulator();
  ids = new IdentitystoreClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  okta = await startOktaSimulator({
    scenario: {
      users: [
        { login: 'ann.lee@example.com' },
        { login: 'bob.ray@example.com' },
        { login: 'carl.fox@example.com', appAssigned: true },
        { login: 'dave.kim@example.com' },
      ],
      groups: [
        { name: GROUP, members: ['ann.lee@example.com', 'bob.ray@example.com'] },
        { name: 'not-pushed', members: ['dave.kim@example.com'] },
      ],
    },
    scim: {
      awsEndpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      identityStoreId: aws.identityStoreId,
      lagMs: 0,
    },
  });
});

afterEach(async () => {
  await okta.close();
  ids.destroy();
  await aws.close();
});

async function idcUserNames(): Promise<string[]> {
  const out = await ids.send(new ListUsersCommand({ IdentityStoreId: aws.identityStoreId }));
  return (out.Users ?? []).map((u) => u.UserName ?? '').sort();
}

function oktaId(kind: 'user' | 'group', name: string): string {
  const s = okta.control.state();
  const found =
    kind === 'user'
      ? s.users.find((u) => u.login === name)?.id
      : s.groups.find((g) => g.name === name)?.id;
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

async function membersOf(groupName: string): Promise<string[]> {
  const groupId = (
    await ids.send(
      new GetGroupIdCommand({
        IdentityStoreId: aws.identityStoreId,
        AlternateIdentifier: {
          UniqueAttribute: { AttributePath: 'displayName', AttributeValue: groupName },
        },
      }),
    )
  ).GroupId;
  const out = await ids.send(
    new ListGroupMembershipsCommand({ IdentityStoreId: aws.identityStoreId, GroupId: groupId }),
  );
  const names: string[] = [];
  for (const m of out.GroupMemberships ?? []) {
    const u = await ids.send(
      new DescribeUserCommand({ IdentityStoreId: aws.identityStoreId, UserId: m.MemberId?.UserId }),
    );
    names.push(u.UserName ?? '');
  }
  return names.sort();
}

describe('SCIM push into the AWS simulator', () => {
  it('pushes assigned users and pushed groups with memberships and Okta ids as ExternalIds', async () => {
    await okta.control.settle();
    expect(await idcUserNames()).toEqual([
      'ann.lee@example.com',
      'bob.ray@example.com',
      'carl.fox@example.com',
    ]);
    expect(await membersOf(GROUP)).toEqual(['ann.lee@example.com', 'bob.ray@example.com']);
    const annOktaId = oktaId('user', 'ann.lee@example.com');
    const byExternal = await ids.send(
      new GetUserIdCommand({
        IdentityStoreId: aws.identityStoreId,
        AlternateIdentifier: { ExternalId: { Issuer: 'scim.okta.com', Id: annOktaId } },
      }),
    );
    const ann = await ids.send(
      new DescribeUserCommand({ IdentityStoreId: aws.identityStoreId, UserId: byExternal.UserId }),
    );
    expect(ann.UserName).toBe('ann.lee@example.com');
    const groupId = (
      await ids.send(
        new GetGroupIdCommand({
          IdentityStoreId: aws.identityStoreId,
          AlternateIdentifier: {
            ExternalId: { Issuer: 'scim.okta.com', Id: oktaId('group', GROUP) },
          },
        }),
      )
    ).GroupId;
    const group = await ids.send(
      new DescribeGroupCommand({ IdentityStoreId: aws.identityStoreId, GroupId: groupId }),
    );
    expect(group.DisplayName).toBe(GROUP);
    expect(okta.control.scimRecords().every((r) => r.ok)).toBe(true);
  });

  it('lags behind Okta by the configured delay, then follows membership and lifecycle changes', async () => {
    await okta.control.settle();
    okta.control.setScimLag(400);
    okta.control.admin({ action: 'addMember', group: GROUP, user: 'dave.kim@example.com' });
    okta.control.admin({ action: 'removeMember', group: GROUP, user: 'bob.ray@example.com' });
    okta.control.admin({ action: 'deactivateUser', user: 'carl.fox@example.com' });
    // Not there yet: the push is still waiting out its lag.
    expect(await idcUserNames()).toEqual([
      'ann.lee@example.com',
      'bob.ray@example.com',
      'carl.fox@example.com',
    ]);
    await okta.control.settle();
    // Deactivation and unassignment disable rather than delete (Okta's app sends active:false):
    // carl and bob stay in the identity store but lose their group memberships.
    expect(await idcUserNames()).toEqual([
      'ann.lee@example.com',
      'bob.ray@example.com',
      'carl.fox@example.com',
      'dave.kim@example.com',
    ]);
    expect(await membersOf(GROUP)).toEqual(['ann.lee@example.com', 'dave.kim@example.com']);
  });

  it('pushes a rename as UpdateGroup and removes a deleted group, disabling its group-only members', async () => {
    await okta.control.settle();
    const groupOktaId = oktaId('group', GROUP);
    const renamed = 'aws#prod#ReadOnlyAccess#123456789012';
    okta.control.admin({ action: 'renameGroup', group: GROUP, name: renamed });
    await okta.control.settle();
    const updates = okta.control.scimRecords().filter((r) => r.op === 'UpdateGroup');
    expect(updates).not.toHaveLength(0);
    expect(updates.filter((r) => !r.ok || r.oktaId !== groupOktaId)).toEqual([]);
    const { GroupId: idcGroupId } = await ids.send(
      new GetGroupIdCommand({
        IdentityStoreId: aws.identityStoreId,
        AlternateIdentifier: { ExternalId: { Issuer: 'scim.okta.com', Id: groupOktaId } },
      }),
    );
    const described = await ids.send(
      new DescribeGroupCommand({ IdentityStoreId: aws.identityStoreId, GroupId: idcGroupId }),
    );
    expect(described.DisplayName).toBe(renamed);
    okta.control.admin({ action: 'deleteGroup', group: renamed });
    await okta.control.settle();
    await expect(
      ids.send(
        new GetGroupIdCommand({
          IdentityStoreId: aws.identityStoreId,
          AlternateIdentifier: { ExternalId: { Issuer: 'scim.okta.com', Id: groupOktaId } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Its members are unassigned from the app: disabled, not deleted, so they stay listed.
    expect(await idcUserNames()).toEqual([
      'ann.lee@example.com',
      'bob.ray@example.com',
      'carl.fox@example.com',
    ]);
  });
});
