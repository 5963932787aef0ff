import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListAccountAssignmentsForPrincipalCommand } from '@aws-sdk/client-sso-admin';
import { GetGroupIdCommand, ListGroupMembershipsCommand } from '@aws-sdk/client-identitystore';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAwsScenario, loadAwsScenario } from './aws-scenario.js';
import { startAwsSimulator } from './aws-simulator.js';
import { generateAwsScenario } from './generate-aws-scenario.js';
import { awsSdkClients } from './test-support/aws-sdk-clients.js';

const yamlScenario = `
managementAccountId: "123456789012"
organizationalUnits:
  - { name: Prod }
accounts:
  - { id: "210987654321", name: prod-1, parent: Prod, tags: { env: prod } }
users:
  - { userName: zoe@example.com, givenName: Zoe, familyName: Zed, externalId: 00u9zoe0000000000009 }
groups:
  - { displayName: aws-prod-admins, externalId: { issuer: "https://example.okta.com", id: 00g9adm0000000000009 }, members: [zoe@example.com] }
permissionSets:
  - { name: Admin, managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess] }
assignments:
  - { accountId: "210987654321", permissionSet: Admin, principalType: GROUP, principal: aws-prod-admins }
iam:
  "210987654321":
    samlProviders: [{ name: Okta }]
    roles: [{ name: Okta-Admin, samlProvider: Okta }]
`;

describe('scenarios', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aws-scenario-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a YAML scenario and serves it through the SDK', async () => {
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, yamlScenario);
    const scenario = loadAwsScenario(file);
    const sim = await startAwsSimulator({
      scenario,
      quotas: { enabled: false },
      behaviour: { organizationsEmptyPageProbability: 0 },
    });
    const aws = awsSdkClients(sim, { maxAttempts: 1 });
    try {
      expect(sim.managementAccountId).toBe('123456789012');
      const roots = sim.control.dumpState().organization.rootId;
      const ous = (
        await aws.organizations.send(
          new ListOrganizationalUnitsForParentCommand({ ParentId: roots }),
        )
      ).OrganizationalUnits!;
      expect(ous.map((o) => o.Name)).toEqual(['Prod']);
      expect(ous[0]!.Id).toMatch(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/);
      const accounts = (
        await aws.organizations.send(new ListAccountsForParentCommand({ ParentId: ous[0]!.Id }))
      ).Accounts!;
      expect(accounts.map((a) => a.Id)).toEqual(['210987654321']);
      const group = await aws.identityStore.send(
        new GetGroupIdCommand({
          IdentityStoreId: sim.identityStoreId,
          AlternateIdentifier: {
            ExternalId: { Issuer: 'https://example.okta.com', Id: '00g9adm0000000000009' },
          },
        }),
      );
      expect(group.GroupId).toMatch(new RegExp(`^${sim.identityStoreId.slice(2)}-[0-9a-f-]{36}$`));
      const members = await aws.identityStore.send(
        new ListGroupMembershipsCommand({
          IdentityStoreId: sim.identityStoreId,
          GroupId: group.GroupId,
        }),
      );
      expect(members.GroupMemberships).toHaveLength(1);
      const assignments = await aws.ssoAdmin.send(
        new ListAccountAssignmentsForPrincipalCommand({
          InstanceArn: sim.instanceArn,
          PrincipalId: group.GroupId,
          PrincipalType: 'GROUP',
        }),
      );
      expect(assignments.AccountAssignments?.map((a) => a.AccountId)).toEqual(['210987654321']);
      const iam = sim.control.dumpState().iam['210987654321']!;
      expect(iam.roles.map((r) => r.name).sort()).toEqual([
        expect.stringMatching(/^AWSReservedSSO_Admin_[0-9a-f]{16}$/),
        'Okta-Admin',
        'OrganizationAccountAccessRole',
      ]);
    } finally {
      aws.destroy();
      await sim.close();
    }
  });

  it('rejects an invalid scenario with the path of the problem', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ accounts: [{ id: '12', name: 'x' }] }));
    expect(() => loadAwsScenario(file)).toThrow(/accounts\.0\.id/);
    expect(() => loadAwsScenario({ assignments: [{ accountId: '111111111111' }] })).toThrow(
      /assignments\.0\./,
    );
  });

  it('rejects references to unknown entities at start-up', async () => {
    await expect(
      startAwsSimulator({
        scenario: {
          assignments: [
            {
              accountId: '111111111111',
              permissionSet: 'Nope',
              principalType: 'USER',
              principal: 'x',
            },
          ],
        },
      }),
    ).rejects.toThrow(/unknown permission set Nope/);
  });

  it('the demo scenario is valid and loads by name', () => {
    expect(loadAwsScenario('demo')).toEqual(demoAwsScenario());
    expect(loadAwsScenario(demoAwsScenario())).toEqual(demoAwsScenario());
  });

  describe('generator', () => {
    const size = {
      accounts: 300,
      permissionSets: 200,
      users: 2000,
      groups: 200,
      assignments: 8000,
      seed: 1,
    };

    it('is deterministic for a seed and differs across seeds', () => {
      expect(generateAwsScenario(size)).toEqual(generateAwsScenario(size));
      expect(generateAwsScenario({ ...size, seed: 2 })).not.toEqual(generateAwsScenario(size));
    });

    it('yields a realistic sparse organisation: ~10% of account × PS pairs assigned, unique assignments, mostly groups', () => {
      const s = generateAwsScenario(size);
      expect(s.accounts).toHaveLength(299);
      expect(s.permissionSets).toHaveLength(200);
      expect(s.users).toHaveLength(2000);
      expect(s.groups).toHaveLength(200);
      expect(s.assignments).toHaveLength(8000);
      const pairs = new Set(s.assignments!.map((a) => `${a.accountId}|${a.permissionSet}`));
      expect(pairs.size / (300 * 200)).toBeGreaterThan(0.08);
      expect(pairs.size / (300 * 200)).toBeLessThan(0.12);
      const keys = new Set(
        s.assignments!.map(
          (a) => `${a.accountId}|${a.permissionSet}|${a.principalType}|${a.principal}`,
        ),
      );
      expect(keys.size).toBe(8000);
      const groupShare = s.assignments!.filter((a) => a.principalType === 'GROUP').length / 8000;
      expect(groupShare).toBeGreaterThan(0.75);
      expect(new Set(s.users!.map((u) => u.userName)).size).toBe(2000);
      expect(
        s.groups!.every((g) => typeof g.externalId === 'string' && g.externalId.startsWith('00g')),
      ).toBe(true);
      expect(() => loadAwsScenario(s)).not.toThrow();
    });

    it('seeds a simulator with provisioning side effects for every assigned pair', async () => {
      const s = generateAwsScenario({
        accounts: 40,
        permissionSets: 15,
        users: 100,
        groups: 12,
        assignments: 200,
        seed: 3,
      });
      const sim = await startAwsSimulator({ scenario: s });
      try {
        const state = sim.control.dumpState();
        const pairs = new Set(state.assignments.map((a) => `${a.accountId}|${a.permissionSetArn}`));
        expect(state.assignments).toHaveLength(200);
        expect(state.provisioned).toHaveLength(pairs.size);
        const reserved = Object.values(state.iam).flatMap((i) =>
          i.roles.filter((r) => r.name.startsWith('AWSReservedSSO_')),
        );
        expect(reserved).toHaveLength(pairs.size);
      } finally {
        await sim.close();
      }
    });
  });
});
