/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return --
   operations are called by name on the SDK's aggregated clients, so outputs are dynamic here. */
import { IAM } from '@aws-sdk/client-iam';
import { Identitystore } from '@aws-sdk/client-identitystore';
import { Organizations } from '@aws-sdk/client-organizations';
import { SSOAdmin } from '@aws-sdk/client-sso-admin';
import { STS } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAwsScenario, type AwsScenario } from './aws-scenario.js';
import { startAwsSimulator, type AwsSimulator } from './aws-simulator.js';
import { generateAwsScenario } from './generate-aws-scenario.js';
import {
  inputMembers,
  paginationOf,
  validateModelOutput,
} from './test-support/model-output-validator.js';

type Input = Record<string, unknown>;
type Fixture = Record<string, string>;
interface Case {
  readonly op: string;
  readonly input: (fx: Fixture) => Input;
  /** Saves ids from the output for later cases. */
  readonly save?: (out: any, fx: Fixture) => void;
  /** Starts async work; the next case waits for it to settle. */
  readonly async?: boolean;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const modelService = {
  ssoAdmin: 'sso-admin',
  identityStore: 'identitystore',
  organizations: 'organizations',
  iam: 'iam',
} as const;
type ClientKey = keyof typeof modelService;

function scenario(): AwsScenario {
  const demo = demoAwsScenario();
  const staging = demo.iam!['444444444444']!;
  staging.roles![0]!.inlinePolicies = {
    'okta-extra': {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    },
  };
  return demo;
}

const ssoAdminCases: Case[] = [
  { op: 'ListInstances', input: () => ({}) },
  { op: 'DescribeInstance', input: (fx) => ({ InstanceArn: fx.instance }) },
  { op: 'ListPermissionSets', input: (fx) => ({ InstanceArn: fx.instance }) },
  {
    op: 'DescribePermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.readOnly }),
  },
  {
    op: 'CreatePermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      Name: 'Conformance',
      Description: 'conformance',
      SessionDuration: 'PT2H',
      RelayState: 'https://console.aws.amazon.com/',
      Tags: [{ Key: 'team', Value: 'sec' }],
    }),
    save: (out, fx) => (fx.ps = out.PermissionSet.PermissionSetArn),
  },
  {
    op: 'UpdatePermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      Description: 'updated',
      SessionDuration: 'PT3H',
    }),
  },
  {
    op: 'AttachManagedPolicyToPermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  },
  {
    op: 'ListManagedPoliciesInPermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
  {
    op: 'DetachManagedPolicyFromPermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  },
  {
    op: 'AttachCustomerManagedPolicyReferenceToPermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      CustomerManagedPolicyReference: { Name: 'okta-extra', Path: '/custom/' },
    }),
  },
  {
    op: 'ListCustomerManagedPolicyReferencesInPermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
  {
    op: 'DetachCustomerManagedPolicyReferenceFromPermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      CustomerManagedPolicyReference: { Name: 'okta-extra', Path: '/custom/' },
    }),
  },
  {
    op: 'PutInlinePolicyToPermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      InlinePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
      }),
    }),
  },
  {
    op: 'GetInlinePolicyForPermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
  {
    op: 'DeleteInlinePolicyFromPermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
  {
    op: 'PutPermissionsBoundaryToPermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
    }),
  },
  {
    op: 'GetPermissionsBoundaryForPermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
  {
    op: 'DeletePermissionsBoundaryFromPermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
  {
    op: 'TagResource',
    input: (fx) => ({
      InstanceArn: fx.instance,
      ResourceArn: fx.ps,
      Tags: [{ Key: 'owner', Value: 'platform' }],
    }),
  },
  { op: 'ListTagsForResource', input: (fx) => ({ InstanceArn: fx.instance, ResourceArn: fx.ps }) },
  {
    op: 'UntagResource',
    input: (fx) => ({ InstanceArn: fx.instance, ResourceArn: fx.ps, TagKeys: ['owner'] }),
  },
  {
    op: 'CreateAccountAssignment',
    input: (fx) => ({
      InstanceArn: fx.instance,
      TargetId: '444444444444',
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: fx.ps,
      PrincipalType: 'GROUP',
      PrincipalId: fx.group,
    }),
    save: (out, fx) => (fx.creation = out.AccountAssignmentCreationStatus.RequestId),
    async: true,
  },
  {
    op: 'DescribeAccountAssignmentCreationStatus',
    input: (fx) => ({ InstanceArn: fx.instance, AccountAssignmentCreationRequestId: fx.creation }),
  },
  { op: 'ListAccountAssignmentCreationStatus', input: (fx) => ({ InstanceArn: fx.instance }) },
  {
    op: 'ListAccountAssignments',
    input: (fx) => ({
      InstanceArn: fx.instance,
      AccountId: '444444444444',
      PermissionSetArn: fx.ps,
    }),
  },
  {
    op: 'ListAccountAssignmentsForPrincipal',
    input: (fx) => ({ InstanceArn: fx.instance, PrincipalId: fx.group, PrincipalType: 'GROUP' }),
  },
  {
    op: 'ListAccountsForProvisionedPermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
  {
    op: 'ListPermissionSetsProvisionedToAccount',
    input: (fx) => ({ InstanceArn: fx.instance, AccountId: '444444444444' }),
  },
  {
    op: 'ProvisionPermissionSet',
    input: (fx) => ({
      InstanceArn: fx.instance,
      PermissionSetArn: fx.ps,
      TargetType: 'ALL_PROVISIONED_ACCOUNTS',
    }),
    save: (out, fx) => (fx.provisioning = out.PermissionSetProvisioningStatus.RequestId),
    async: true,
  },
  {
    op: 'DescribePermissionSetProvisioningStatus',
    input: (fx) => ({ InstanceArn: fx.instance, ProvisionPermissionSetRequestId: fx.provisioning }),
  },
  { op: 'ListPermissionSetProvisioningStatus', input: (fx) => ({ InstanceArn: fx.instance }) },
  {
    op: 'DeleteAccountAssignment',
    input: (fx) => ({
      InstanceArn: fx.instance,
      TargetId: '444444444444',
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: fx.ps,
      PrincipalType: 'GROUP',
      PrincipalId: fx.group,
    }),
    save: (out, fx) => (fx.deletion = out.AccountAssignmentDeletionStatus.RequestId),
    async: true,
  },
  {
    op: 'DescribeAccountAssignmentDeletionStatus',
    input: (fx) => ({ InstanceArn: fx.instance, AccountAssignmentDeletionRequestId: fx.deletion }),
  },
  { op: 'ListAccountAssignmentDeletionStatus', input: (fx) => ({ InstanceArn: fx.instance }) },
  {
    op: 'DeletePermissionSet',
    input: (fx) => ({ InstanceArn: fx.instance, PermissionSetArn: fx.ps }),
  },
];

const identityStoreCases: Case[] = [
  { op: 'ListUsers', input: (fx) => ({ IdentityStoreId: fx.store }) },
  { op: 'ListGroups', input: (fx) => ({ IdentityStoreId: fx.store }) },
  { op: 'DescribeUser', input: (fx) => ({ IdentityStoreId: fx.store, UserId: fx.user }) },
  { op: 'DescribeGroup', input: (fx) => ({ IdentityStoreId: fx.store, GroupId: fx.group }) },
  {
    op: 'GetUserId',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      AlternateIdentifier: {
        UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice@example.com' },
      },
    }),
  },
  {
    op: 'GetGroupId',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      AlternateIdentifier: { ExternalId: { Issuer: 'scim.okta.com', Id: '00g1prodro0000000001' } },
    }),
  },
  { op: 'ListGroupMemberships', input: (fx) => ({ IdentityStoreId: fx.store, GroupId: fx.group }) },
  {
    op: 'ListGroupMembershipsForMember',
    input: (fx) => ({ IdentityStoreId: fx.store, MemberId: { UserId: fx.user } }),
  },
  {
    op: 'IsMemberInGroups',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      MemberId: { UserId: fx.user },
      GroupIds: [fx.group],
    }),
  },
  {
    op: 'GetGroupMembershipId',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      GroupId: fx.group,
      MemberId: { UserId: fx.user },
    }),
    save: (out, fx) => (fx.membership = out.MembershipId),
  },
  {
    op: 'DescribeGroupMembership',
    input: (fx) => ({ IdentityStoreId: fx.store, MembershipId: fx.membership }),
  },
  {
    op: 'CreateUser',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      UserName: 'dora@example.com',
      DisplayName: 'Dora Dunn',
      Name: { GivenName: 'Dora', FamilyName: 'Dunn' },
      Emails: [{ Value: 'dora@example.com', Type: 'work', Primary: true }],
    }),
    save: (out, fx) => (fx.newUser = out.UserId),
  },
  {
    op: 'CreateGroup',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      DisplayName: 'aws-conformance',
      Description: 'conformance',
    }),
    save: (out, fx) => (fx.newGroup = out.GroupId),
  },
  {
    op: 'CreateGroupMembership',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      GroupId: fx.newGroup,
      MemberId: { UserId: fx.newUser },
    }),
    save: (out, fx) => (fx.newMembership = out.MembershipId),
  },
  {
    op: 'UpdateUser',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      UserId: fx.newUser,
      Operations: [{ AttributePath: 'displayName', AttributeValue: 'Dora D. Dunn' }],
    }),
  },
  {
    op: 'UpdateGroup',
    input: (fx) => ({
      IdentityStoreId: fx.store,
      GroupId: fx.newGroup,
      Operations: [{ AttributePath: 'description', AttributeValue: 'conformance, updated' }],
    }),
  },
  {
    op: 'DeleteGroupMembership',
    input: (fx) => ({ IdentityStoreId: fx.store, MembershipId: fx.newMembership }),
  },
  { op: 'DeleteGroup', input: (fx) => ({ IdentityStoreId: fx.store, GroupId: fx.newGroup }) },
  { op: 'DeleteUser', input: (fx) => ({ IdentityStoreId: fx.store, UserId: fx.newUser }) },
];

const organizationsCases: Case[] = [
  { op: 'DescribeOrganization', input: () => ({}) },
  { op: 'ListRoots', input: () => ({}) },
  { op: 'ListOrganizationalUnitsForParent', input: (fx) => ({ ParentId: fx.root }) },
  { op: 'DescribeOrganizationalUnit', input: (fx) => ({ OrganizationalUnitId: fx.ou }) },
  { op: 'ListAccountsForParent', input: (fx) => ({ ParentId: fx.ou }) },
  { op: 'ListAccounts', input: () => ({}) },
  { op: 'DescribeAccount', input: () => ({ AccountId: '222222222222' }) },
  { op: 'ListChildren', input: (fx) => ({ ParentId: fx.root, ChildType: 'ORGANIZATIONAL_UNIT' }) },
  { op: 'ListParents', input: () => ({ ChildId: '222222222222' }) },
  { op: 'ListTagsForResource', input: () => ({ ResourceId: '222222222222' }) },
];

const iamCases: Case[] = [
  { op: 'ListRoles', input: () => ({ PathPrefix: '/' }) },
  { op: 'GetRole', input: () => ({ RoleName: 'Okta-Staging-Developer' }) },
  { op: 'ListRolePolicies', input: () => ({ RoleName: 'Okta-Staging-Developer' }) },
  {
    op: 'GetRolePolicy',
    input: () => ({ RoleName: 'Okta-Staging-Developer', PolicyName: 'okta-extra' }),
  },
  { op: 'ListAttachedRolePolicies', input: () => ({ RoleName: 'Okta-Staging-Developer' }) },
  { op: 'ListSAMLProviders', input: () => ({}) },
  {
    op: 'GetSAMLProvider',
    input: () => ({ SAMLProviderArn: 'arn:aws:iam::444444444444:saml-provider/Okta' }),
  },
  { op: 'ListUsers', input: () => ({}) },
  { op: 'ListGroups', input: () => ({}) },
  { op: 'ListGroupsForUser', input: () => ({ UserName: 'ci-deployer' }) },
  { op: 'ListAttachedUserPolicies', input: () => ({ UserName: 'ci-deployer' }) },
  { op: 'ListAttachedGroupPolicies', input: () => ({ GroupName: 'deployers' }) },
  { op: 'ListAccountAliases', input: () => ({}) },
];

const cases: Record<ClientKey, Case[]> = {
  ssoAdmin: ssoAdminCases,
  identityStore: identityStoreCases,
  organizations: organizationsCases,
  iam: iamCases,
};

/** A string that breaks `pattern` but not the length bounds, if one of the candidates does. */
function patternBreaker(m: ReturnType<typeof inputMembers>[number]): string | undefined {
  const min = m.length?.min ?? 1;
  const max = m.length?.max ?? 64;
  for (const base of ['\u0001', ' ', '!#bad value#!', '$$', 'x']) {
    const candidate = base
      .repeat(Math.max(1, Math.ceil(min / base.length)))
      .slice(0, Math.max(min, Math.min(max, base.length * Math.ceil(min / base.length))));
    if (
      candidate.length >= min &&
      candidate.length <= max &&
      m.pattern &&
      !m.pattern.test(candidate)
    )
      return candidate;
  }
  return undefined;
}

describe('AWS simulator conformance through the SDK v3 clients', () => {
  let sim: AwsSimulator;
  let clients: Record<ClientKey, any>;
  let sts: STS;
  const fx: Fixture = {};

  beforeAll(async () => {
    sim = await startAwsSimulator({
      scenario: scenario(),
      asyncLatencyMs: 10,
      quotas: { enabled: false },
    });
    const base = { endpoint: sim.endpoint, credentials: sim.credentials, maxAttempts: 1 };
    sts = new STS({ ...base, region: 'us-east-1' });
    const assumed = await sts.assumeRole({
      RoleArn: 'arn:aws:iam::444444444444:role/OrganizationAccountAccessRole',
      RoleSessionName: 'conformance',
    });
    clients = {
      ssoAdmin: new SSOAdmin({ ...base, region: sim.region }),
      identityStore: new Identitystore({ ...base, region: sim.region }),
      organizations: new Organizations({ ...base, region: 'us-east-1' }),
      // IAM calls act on the account whose credentials sign them: the staging member account.
      iam: new IAM({
        ...base,
        region: 'us-east-1',
        credentials: {
          accessKeyId: assumed.Credentials!.AccessKeyId!,
          secretAccessKey: assumed.Credentials!.SecretAccessKey!,
          sessionToken: assumed.Credentials!.SessionToken!,
        },
      }),
    };
    const state = sim.control.dumpState();
    fx.instance = sim.instanceArn;
    fx.store = sim.identityStoreId;
    fx.readOnly = state.permissionSets.find((p) => p.name === 'ReadOnly')!.arn;
    fx.group = state.identityStore.groups.find((g) => g.DisplayName === 'aws-prod-readonly')!
      .GroupId as string;
    fx.user = state.identityStore.users.find((u) => u.UserName === 'alice@example.com')!
      .UserId as string;
    fx.root = state.organization.rootId;
    fx.ou = state.organization.organizationalUnits.find((o) => o.name === 'Production')!.id;
  });

  afterAll(async () => {
    for (const c of Object.values(clients ?? {})) c.destroy();
    sts?.destroy();
    await sim?.close();
  });

  it('has a conformance case for every implemented operation', () => {
    const implemented = sim.control.implementedOperations();
    for (const key of Object.keys(modelService) as ClientKey[])
      expect(cases[key].map((c) => c.op).sort()).toEqual(
        [...implemented[modelService[key]]].sort(),
      );
    expect(implemented.sts).toEqual(['AssumeRole', 'GetCallerIdentity']);
  });

  for (const key of Object.keys(modelService) as ClientKey[]) {
    describe(modelService[key], () => {
      for (const c of cases[key]) {
        it(`${c.op}: a valid call succeeds and its output validates against the model`, async () => {
          const out = await clients[key][lowerFirst(c.op)](c.input(fx));
          expect(out.$metadata.httpStatusCode).toBe(200);
          const { $metadata: _m, ...output } = out;
          expect(validateModelOutput(modelService[key], c.op, output)).toEqual([]);
          c.save?.(out, fx);
          if (c.async) await sleep(40);
        });
      }
    });
  }

  describe('each constraint kind is rejected with a message naming the member', () => {
    const validationCode = (key: ClientKey) =>
      key === 'iam' ? 'ValidationError' : 'ValidationException';
    for (const key of Object.keys(modelService) as ClientKey[]) {
      for (const c of cases[key]) {
        const members = inputMembers(modelService[key], c.op);
        const mutations: { kind: string; member: string; apply: (input: Input) => void }[] = [];
        const required = members.find((m) => m.required);
        if (required)
          mutations.push({
            kind: 'required',
            member: required.name,
            apply: (i) => delete i[required.name],
          });
        const long = members.find(
          (m) => m.type === 'string' && m.length?.max !== undefined && m.length.max < 100_000,
        );
        if (long)
          mutations.push({
            kind: 'length',
            member: long.name,
            apply: (i) => (i[long.name] = 'a'.repeat(long.length!.max! + 1)),
          });
        const patterned = members.find(
          (m) => m.type === 'string' && m.pattern && patternBreaker(m) !== undefined,
        );
        if (patterned)
          mutations.push({
            kind: 'pattern',
            member: patterned.name,
            apply: (i) => (i[patterned.name] = patternBreaker(patterned)),
          });
        const ranged = members.find((m) => m.range?.max !== undefined);
        if (ranged)
          mutations.push({
            kind: 'range',
            member: ranged.name,
            apply: (i) => (i[ranged.name] = ranged.range!.max! + 1),
          });
        const enumerated = members.find((m) => m.enumValues);
        if (enumerated)
          mutations.push({
            kind: 'enum',
            member: enumerated.name,
            apply: (i) => (i[enumerated.name] = 'NOT_A_MODEL_VALUE'),
          });
        for (const m of mutations) {
          it(`${modelService[key]} ${c.op}: ${m.kind} on ${m.member}`, async () => {
            const input = structuredClone(
              c.input({ ...fx, ps: fx.ps ?? fx.readOnly!, newGroup: fx.group!, newUser: fx.user! }),
            );
            m.apply(input);
            const error: any = await clients[key][lowerFirst(c.op)](input).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(error?.name).toBe(validationCode(key));
            expect(error.$metadata.httpStatusCode).toBe(400);
            expect(error.message).toContain(`'${lowerFirst(m.member)}'`);
          });
        }
      }
    }
  });
});

describe('pagination round-trips on a generated organisation', () => {
  let sim: AwsSimulator;
  let sso: any;
  let ids: any;
  let org: any;
  let iam: any;
  const fx: Fixture = {};

  beforeAll(async () => {
    const generated = generateAwsScenario({
      accounts: 45,
      permissionSets: 12,
      users: 30,
      groups: 8,
      assignments: 120,
      seed: 7,
    });
    generated.iam = {
      '100000000000': {
        aliases: ['acme-management'],
        roles: Array.from({ length: 5 }, (_, i) => ({
          name: `extra-${i}`,
          managedPolicies: [
            'arn:aws:iam::aws:policy/ReadOnlyAccess',
            'arn:aws:iam::aws:policy/SecurityAudit',
          ],
          inlinePolicies: { a: '{}', b: '{}' },
        })),
        users: [
          {
            name: 'u1',
            groups: ['g1', 'g2'],
            managedPolicies: [
              'arn:aws:iam::aws:policy/ReadOnlyAccess',
              'arn:aws:iam::aws:policy/SecurityAudit',
            ],
          },
          { name: 'u2' },
        ],
        groups: [
          {
            name: 'g1',
            managedPolicies: [
              'arn:aws:iam::aws:policy/ReadOnlyAccess',
              'arn:aws:iam::aws:policy/SecurityAudit',
            ],
          },
          { name: 'g2' },
        ],
      },
    };
    sim = await startAwsSimulator({
      scenario: generated,
      asyncLatencyMs: 10,
      quotas: { enabled: false },
    });
    const base = { endpoint: sim.endpoint, credentials: sim.credentials, maxAttempts: 1 };
    sso = new SSOAdmin({ ...base, region: sim.region });
    ids = new Identitystore({ ...base, region: sim.region });
    org = new Organizations({ ...base, region: 'us-east-1' });
    iam = new IAM({ ...base, region: 'us-east-1' });
    const state = sim.control.dumpState();
    // The busiest account / permission set / group make multi-page listings.
    const by = <T>(items: readonly T[], key: (t: T) => string) => {
      const counts = new Map<string, number>();
      for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    };
    fx.instance = sim.instanceArn;
    fx.store = sim.identityStoreId;
    fx.pair = by(state.assignments, (a) => `${a.accountId}|${a.permissionSetArn}`);
    fx.ps = by(state.provisioned, (p) => p.permissionSetArn);
    fx.account = by(state.provisioned, (p) => p.accountId);
    fx.group = by(
      state.assignments.filter((a) => a.principalType === 'GROUP'),
      (a) => a.principalId,
    );
    fx.memberGroup = by(state.identityStore.memberships, (m) => m.groupId);
    fx.member = by(state.identityStore.memberships, (m) => m.userId);
    fx.root = state.organization.rootId;
    fx.ou = by(
      state.organization.accounts.filter((a) => a.parentId !== state.organization.rootId),
      (a) => a.parentId,
    );
  });

  afterAll(async () => {
    for (const c of [sso, ids, org, iam]) c?.destroy();
    await sim?.close();
  });

  const lists: {
    service: string;
    client: () => any;
    op: string;
    input: (fx: Fixture) => Input;
    min: number;
    items?: string;
  }[] = [
    {
      service: 'sso-admin',
      client: () => sso,
      op: 'ListPermissionSets',
      input: (f) => ({ InstanceArn: f.instance }),
      min: 12,
    },
    {
      service: 'sso-admin',
      client: () => sso,
      op: 'ListAccountAssignments',
      input: (f) => ({
        InstanceArn: f.instance,
        AccountId: f.pair!.split('|')[0],
        PermissionSetArn: f.pair!.split('|')[1],
      }),
      min: 2,
    },
    {
      service: 'sso-admin',
      client: () => sso,
      op: 'ListAccountAssignmentsForPrincipal',
      input: (f) => ({ InstanceArn: f.instance, PrincipalId: f.group, PrincipalType: 'GROUP' }),
      min: 2,
    },
    {
      service: 'sso-admin',
      client: () => sso,
      op: 'ListAccountsForProvisionedPermissionSet',
      input: (f) => ({ InstanceArn: f.instance, PermissionSetArn: f.ps }),
      min: 2,
    },
    {
      service: 'sso-admin',
      client: () => sso,
      op: 'ListPermissionSetsProvisionedToAccount',
      input: (f) => ({ InstanceArn: f.instance, AccountId: f.account }),
      min: 2,
    },
    {
      service: 'identitystore',
      client: () => ids,
      op: 'ListUsers',
      input: (f) => ({ IdentityStoreId: f.store }),
      min: 30,
    },
    {
      service: 'identitystore',
      client: () => ids,
      op: 'ListGroups',
      input: (f) => ({ IdentityStoreId: f.store }),
      min: 8,
    },
    {
      service: 'identitystore',
      client: () => ids,
      op: 'ListGroupMemberships',
      input: (f) => ({ IdentityStoreId: f.store, GroupId: f.memberGroup }),
      min: 2,
    },
    {
      service: 'identitystore',
      client: () => ids,
      op: 'ListGroupMembershipsForMember',
      input: (f) => ({ IdentityStoreId: f.store, MemberId: { UserId: f.member } }),
      min: 2,
    },
    {
      service: 'organizations',
      client: () => org,
      op: 'ListAccounts',
      input: () => ({}),
      min: 45,
      items: 'Accounts',
    },
    {
      service: 'organizations',
      client: () => org,
      op: 'ListAccountsForParent',
      input: (f) => ({ ParentId: f.ou }),
      min: 2,
      items: 'Accounts',
    },
    {
      service: 'organizations',
      client: () => org,
      op: 'ListOrganizationalUnitsForParent',
      input: (f) => ({ ParentId: f.root }),
      min: 4,
      items: 'OrganizationalUnits',
    },
    {
      service: 'organizations',
      client: () => org,
      op: 'ListChildren',
      input: (f) => ({ ParentId: f.root, ChildType: 'ORGANIZATIONAL_UNIT' }),
      min: 4,
      items: 'Children',
    },
    { service: 'iam', client: () => iam, op: 'ListRoles', input: () => ({}), min: 5 },
    {
      service: 'iam',
      client: () => iam,
      op: 'ListRolePolicies',
      input: () => ({ RoleName: 'extra-0' }),
      min: 2,
    },
    {
      service: 'iam',
      client: () => iam,
      op: 'ListAttachedRolePolicies',
      input: () => ({ RoleName: 'extra-0' }),
      min: 2,
    },
    { service: 'iam', client: () => iam, op: 'ListUsers', input: () => ({}), min: 2 },
    { service: 'iam', client: () => iam, op: 'ListGroups', input: () => ({}), min: 2 },
    {
      service: 'iam',
      client: () => iam,
      op: 'ListGroupsForUser',
      input: () => ({ UserName: 'u1' }),
      min: 2,
    },
    {
      service: 'iam',
      client: () => iam,
      op: 'ListAttachedUserPolicies',
      input: () => ({ UserName: 'u1' }),
      min: 2,
    },
    {
      service: 'iam',
      client: () => iam,
      op: 'ListAttachedGroupPolicies',
      input: () => ({ GroupName: 'g1' }),
      min: 2,
    },
  ];

  for (const l of lists) {
    it(`${l.service} ${l.op}: pages of one item rebuild the full listing`, async () => {
      const p = paginationOf(l.service, l.op)!;
      const call = (input: Input) => l.client()[lowerFirst(l.op)](input);
      const itemsKey = p.items ?? l.items!;
      const collect = async (pageSize: number | undefined) => {
        const items: unknown[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const out = await call({
            ...l.input(fx),
            ...(pageSize ? { [p.pageSize!]: pageSize } : {}),
            ...(token ? { [p.inputToken]: token } : {}),
          });
          expect(
            validateModelOutput(l.service, l.op, (({ $metadata: _m, ...rest }) => rest)(out)),
          ).toEqual([]);
          items.push(...(out[itemsKey] ?? []));
          token = out[p.outputToken];
          pages++;
        } while (token && pages < 1000);
        return { items, pages };
      };
      const single = await collect(1);
      const full = await collect(undefined);
      expect(single.items.length).toBeGreaterThanOrEqual(l.min);
      expect(single.pages).toBeGreaterThanOrEqual(single.items.length);
      expect(JSON.stringify(single.items)).toBe(JSON.stringify(full.items));
    });
  }
});
