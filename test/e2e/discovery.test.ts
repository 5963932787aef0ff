/**
 * Discovery end to end: the real SDK v3 clients and the real Okta SDK against both simulators over
 * HTTP, on the hand-written world of discovery-fixture.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccountIamReader } from '../../src/adapters/aws/account-iam-reader.js';
import { AwsCallCounters } from '../../src/adapters/aws/aws-call-counters.js';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.js';
import { AwsRateLimiters } from '../../src/adapters/aws/aws-rate-limiters.js';
import { AwsIdentityCenterReader } from '../../src/adapters/aws/identity-center-reader.js';
import { AwsOrganizationsReader } from '../../src/adapters/aws/organizations-reader.js';
import { lazyOktaClient } from '../../src/adapters/okta/okta-client.js';
import { SdkOktaDirectoryReader } from '../../src/adapters/okta/okta-directory-reader.js';
import { OktaRequestGate } from '../../src/adapters/okta/okta-request-gate.js';
import {
  runDiscovery,
  type DiscoveryDependencies,
  type DiscoveryProgress,
} from '../../src/app/discovery/discovery-service.js';
import { byOperation, totalCalls } from '../../src/core/inventory/call-stats.js';
import type { Inventory } from '../../src/core/inventory/inventory.js';
import { startAwsSimulator, type AwsSimulator } from '../../src/sim/aws/index.js';
import type { AwsStateDump } from '../../src/sim/aws/index.js';
import { startOktaSimulator, type OktaSimulator } from '../../src/sim/okta/okta-simulator.js';
import { ACCOUNTS, OKTA, awsScenario, oktaScenario } from './discovery-fixture.js';

let aws: AwsSimulator;
let okta: OktaSimulator;
let dump: AwsStateDump;

beforeAll(async () => {
  aws = await startAwsSimulator({ scenario: awsScenario, asyncLatencyMs: 5 });
  okta = await startOktaSimulator({ scenario: oktaScenario });
  dump = aws.control.dumpState();
});
afterAll(async () => {
  await aws?.close();
  await okta?.close();
});

interface Harness {
  deps: DiscoveryDependencies;
  counters: AwsCallCounters;
  close(): void;
}

function harness(pageSize?: number): Harness {
  const counters = new AwsCallCounters();
  const limiters = new AwsRateLimiters({
    counters,
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxThrottledAttempts: 30, maxTransientAttempts: 10 },
  });
  const clients = createAwsClients(
    { region: aws.region, endpoint: aws.endpoint, credentials: aws.credentials },
    limiters,
  );
  const oktaClient = lazyOktaClient({
    orgUrl: okta.orgUrl,
    auth: { kind: 'ssws', token: okta.token },
    gate: new OktaRequestGate({ counters, baseDelayMs: 5, maxRateLimitedAttempts: 10 }),
  });
  const paging = pageSize ? { pageSize } : {};
  return {
    counters,
    deps: {
      aws: {
        identityCenter: new AwsIdentityCenterReader({ ...clients, ...paging }),
        organizations: new AwsOrganizationsReader({ ...clients, ...paging }),
        accountIam: new AwsAccountIamReader({
          managementIam: clients.iam,
          iamForAccount: (accountId, roleName) => clients.iamForAccount(accountId, roleName),
          ...paging,
        }),
      },
      okta: new SdkOktaDirectoryReader({ client: oktaClient, ...paging }),
      callStats: () => counters.snapshot(),
    },
    close: () => clients.destroy(),
  };
}

async function discover(
  pageSize?: number,
): Promise<{ inventory: Inventory; counters: AwsCallCounters }> {
  const h = harness(pageSize);
  try {
    const { inventory } = await runDiscovery(h.deps, { source: 'all' });
    return { inventory, counters: h.counters };
  } finally {
    h.close();
  }
}

/** The inventory without what legitimately differs between runs. */
function content(inventory: Inventory): unknown {
  const { startedAt: _s, durationMs: _d, calls: _c, ...rest } = inventory;
  return rest;
}

const idOf = {
  user: (userName: string) =>
    String(dump.identityStore.users.find((u) => u.UserName === userName)?.UserId),
  group: (name: string) =>
    String(dump.identityStore.groups.find((g) => g.DisplayName === name)?.GroupId),
  permissionSet: (name: string) => String(dump.permissionSets.find((p) => p.name === name)?.arn),
  ou: (name: string) =>
    String(dump.organization.organizationalUnits.find((o) => o.name === name)?.id),
};

describe('discovery of the hand-written world', () => {
  let inventory: Inventory;
  let counters: AwsCallCounters;
  beforeAll(async () => {
    ({ inventory, counters } = await discover());
  });

  it('reads the organisation: nested OUs, parent paths, tags and a suspended account', () => {
    const root = dump.organization.rootId;
    expect(inventory.aws?.organization.organization).toEqual({
      id: dump.organization.id,
      managementAccountId: ACCOUNTS.management,
      root: { id: root, name: 'Root' },
    });
    expect(
      inventory.aws?.organization.organizationalUnits.map((ou) => [ou.name, ou.parentId]),
    ).toEqual(
      expect.arrayContaining([
        ['Workloads', root],
        ['Production', idOf.ou('Workloads')],
        ['Critical', idOf.ou('Production')],
        ['Sandbox', root],
      ]),
    );
    expect(inventory.aws?.organization.organizationalUnits).toHaveLength(4);
    expect(
      inventory.aws?.organization.accounts.map((a) => ({
        id: a.id,
        name: a.name,
        status: a.status,
        tags: a.tags,
        parentPath: a.parentPath,
      })),
    ).toEqual([
      {
        id: ACCOUNTS.management,
        name: 'management',
        status: 'ACTIVE',
        tags: {},
        parentPath: [root],
      },
      {
        id: ACCOUNTS.prod,
        name: 'prod',
        status: 'ACTIVE',
        tags: { env: 'prod' },
        parentPath: [root, idOf.ou('Workloads'), idOf.ou('Production'), idOf.ou('Critical')],
      },
      {
        id: ACCOUNTS.staging,
        name: 'staging',
        status: 'ACTIVE',
        tags: { env: 'staging' },
        parentPath: [root, idOf.ou('Workloads')],
      },
      {
        id: ACCOUNTS.suspended,
        name: 'old-sandbox',
        status: 'SUSPENDED',
        tags: {},
        parentPath: [root, idOf.ou('Sandbox')],
      },
    ]);
  });

  it('reads the identity store, permission sets with every policy kind, and assignments', () => {
    const ic = inventory.aws?.identityCenter;
    expect(ic?.instance).toEqual({
      instanceArn: dump.instanceArn,
      identityStoreId: dump.identityStoreId,
      status: 'ACTIVE',
      name: expect.any(String),
    });
    expect(ic?.users.map((u) => [u.userName, u.externalIds.map((e) => e.id)]).sort()).toEqual([
      ['alice@example.com', [OKTA.alice]],
      ['bob@example.com', []],
      ['mallory@example.com', []],
    ]);
    expect(ic?.groups.map((g) => [g.displayName, g.externalIds.map((e) => e.id)])).toEqual([
      ['aws-admins', [OKTA.admins]],
    ]);
    expect(ic?.memberships.map((m) => [m.groupId, m.userId]).sort()).toEqual(
      [
        [idOf.group('aws-admins'), idOf.user('alice@example.com')],
        [idOf.group('aws-admins'), idOf.user('bob@example.com')],
      ].sort(),
    );
    const { createdDate: _a, ...admin } = ic?.permissionSets.find((p) => p.name === 'Admin') ?? {};
    expect(admin).toEqual({
      permissionSetArn: idOf.permissionSet('Admin'),
      name: 'Admin',
      description: 'Administrator access',
      sessionDuration: 'PT4H',
      relayState: 'https://console.aws.amazon.com/',
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      customerManagedPolicies: [],
      inlinePolicy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:*","Resource":"*"}]}',
      tags: { team: 'platform' },
      provisionedTo: [{ accountId: ACCOUNTS.prod, status: 'LATEST_PERMISSION_SET_PROVISIONED' }],
    });
    const { createdDate: _b, ...readOnly } =
      ic?.permissionSets.find((p) => p.name === 'ReadOnly') ?? {};
    expect(readOnly).toEqual({
      permissionSetArn: idOf.permissionSet('ReadOnly'),
      name: 'ReadOnly',
      sessionDuration: 'PT1H',
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      customerManagedPolicies: [{ name: 'extra-read', path: '/custom/' }],
      permissionsBoundary: {
        kind: 'managed',
        managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
      },
      tags: {},
      provisionedTo: [
        { accountId: ACCOUNTS.prod, status: 'LATEST_PERMISSION_SET_PROVISIONED' },
        { accountId: ACCOUNTS.staging, status: 'LATEST_PERMISSION_SET_PROVISIONED' },
      ],
    });
    expect(ic?.permissionSets.find((p) => p.name === 'Unused')?.provisionedTo).toEqual([]);
    expect(
      ic?.assignments.map((a) => [a.accountId, a.permissionSetArn, a.principalType, a.principalId]),
    ).toEqual(
      [
        [ACCOUNTS.prod, idOf.permissionSet('Admin'), 'GROUP', idOf.group('aws-admins')],
        [ACCOUNTS.prod, idOf.permissionSet('ReadOnly'), 'USER', idOf.user('alice@example.com')],
        [
          ACCOUNTS.staging,
          idOf.permissionSet('ReadOnly'),
          'USER',
          idOf.user('mallory@example.com'),
        ],
      ].sort((a, b) => a.join('|').localeCompare(b.join('|'))),
    );
  });

  it('reads IAM per account with decoded, classified trust; the suspended account is not inspected', () => {
    const accounts = inventory.aws?.accounts ?? [];
    const summary = accounts.map((account) =>
      account.inspected
        ? {
            id: account.accountId,
            aliases: account.aliases,
            roles: account.roles.map((r) => [
              r.roleName.replace(/_[0-9a-f]{16}$/, '_*'),
              r.trust.kind,
            ]),
            users: account.users.map((u) => [
              u.userName,
              u.groups,
              u.attachedPolicies.map((p) => p.policyArn),
            ]),
            groups: account.groups.map((g) => [
              g.groupName,
              g.attachedPolicies.map((p) => p.policyArn),
            ]),
            saml: account.samlProviders.map((p) => [
              p.name.replace(/_[0-9a-f]{16}_/, '_*_'),
              p.managedByIdentityCenter,
            ]),
          }
        : { id: account.accountId, reason: account.reason },
    );
    expect(summary).toEqual([
      { id: ACCOUNTS.management, aliases: [], roles: [], users: [], groups: [], saml: [] },
      {
        id: ACCOUNTS.prod,
        aliases: ['acme-prod'],
        roles: [
          ['AWSReservedSSO_Admin_*', 'identity-center'],
          ['AWSReservedSSO_ReadOnly_*', 'identity-center'],
          ['lambda-exec', 'service'],
          ['OrganizationAccountAccessRole', 'other'],
        ],
        users: [['ci-bot', ['deployers'], ['arn:aws:iam::aws:policy/ReadOnlyAccess']]],
        groups: [['deployers', ['arn:aws:iam::aws:policy/PowerUserAccess']]],
        saml: [['AWSSSO_*_DO_NOT_DELETE', true]],
      },
      {
        id: ACCOUNTS.staging,
        aliases: ['acme-staging'],
        roles: [
          ['AWSReservedSSO_ReadOnly_*', 'identity-center'],
          ['Okta-Staging-Developer', 'saml-federation'],
          ['OrganizationAccountAccessRole', 'other'],
        ],
        users: [],
        groups: [],
        saml: [
          ['AWSSSO_*_DO_NOT_DELETE', true],
          ['Okta', false],
        ],
      },
      { id: ACCOUNTS.suspended, reason: 'account is SUSPENDED' },
    ]);
    const staging = accounts.find((a) => a.accountId === ACCOUNTS.staging);
    const federated = staging?.inspected
      ? staging.roles.find((r) => r.roleName === 'Okta-Staging-Developer')
      : undefined;
    expect(federated?.trust).toEqual({
      kind: 'saml-federation',
      samlProviderArns: [`arn:aws:iam::${ACCOUNTS.staging}:saml-provider/Okta`],
    });
    // Decoded from IAM's URL encoding: plain JSON, no %-escapes left.
    expect(JSON.parse(federated?.trustPolicy ?? '')).toMatchObject({ Version: '2012-10-17' });
    expect(federated?.trustPolicy).not.toMatch(/%[0-9A-F]{2}/);
    const lambda = accounts.find((a) => a.accountId === ACCOUNTS.prod);
    expect(
      lambda?.inspected ? lambda.roles.find((r) => r.roleName === 'lambda-exec')?.trust : undefined,
    ).toEqual({ kind: 'service', services: ['lambda.amazonaws.com'] });
    expect(inventory.notInspected).toEqual([
      { kind: 'account-iam', id: ACCOUNTS.suspended, reason: 'account is SUSPENDED' },
    ]);
  });

  it('reads Okta users of every status (DEPROVISIONED included), groups and memberships', () => {
    expect(inventory.okta?.users.map((u) => [u.login, u.status])).toEqual([
      ['alice@example.com', 'ACTIVE'],
      ['bob@example.com', 'ACTIVE'],
      ['carol@example.com', 'ACTIVE'],
      ['dave@example.com', 'DEPROVISIONED'],
    ]);
    const groups = inventory.okta?.groups ?? [];
    expect(groups.map((g) => [g.name, g.type]).sort()).toEqual(
      [
        ['Everyone', 'BUILT_IN'],
        ['aws#acme-prod#MissingRole#222222222222', 'OKTA_GROUP'],
        ['aws#acme-staging#Okta-Staging-Developer#444444444444', 'OKTA_GROUP'],
        ['aws#ghost#Developer#999999999999', 'OKTA_GROUP'],
        ['aws-admins', 'OKTA_GROUP'],
        ['engineering', 'OKTA_GROUP'],
      ].sort(),
    );
    const members = (groupId: string): string[] =>
      (inventory.okta?.memberships ?? []).filter((m) => m.groupId === groupId).map((m) => m.userId);
    expect(members(OKTA.admins)).toEqual([OKTA.alice, OKTA.bob]);
    expect(members(OKTA.staging)).toEqual([OKTA.bob, OKTA.carol]);
    expect(members(OKTA.unpushed)).toEqual([OKTA.carol, OKTA.dave]);
  });

  it('links principals both ways and reports the unpushed and the orphans', () => {
    const links = inventory.links;
    expect(links?.users).toEqual([
      { oktaUserId: OKTA.alice, idcUserId: idOf.user('alice@example.com'), by: 'external-id' },
      { oktaUserId: OKTA.bob, idcUserId: idOf.user('bob@example.com'), by: 'name' },
    ]);
    expect(links?.groups).toEqual([
      { oktaGroupId: OKTA.admins, idcGroupId: idOf.group('aws-admins'), by: 'external-id' },
    ]);
    expect(links?.unpushedUsers).toEqual([OKTA.carol, OKTA.dave]);
    expect(links?.orphanUsers).toEqual([idOf.user('mallory@example.com')]);
    expect(links?.orphanGroups).toEqual([]);
    expect(links?.unpushedGroups).toEqual(
      expect.arrayContaining([OKTA.staging, OKTA.missingRole, OKTA.missingAccount, OKTA.unpushed]),
    );
  });

  it('maps federation-convention groups to roles and flags a missing role and account', () => {
    expect(inventory.federation).toEqual([
      {
        oktaGroupId: OKTA.missingRole,
        oktaGroupName: 'aws#acme-prod#MissingRole#222222222222',
        alias: 'acme-prod',
        roleName: 'MissingRole',
        accountId: ACCOUNTS.prod,
        status: 'role-not-found',
      },
      {
        oktaGroupId: OKTA.staging,
        oktaGroupName: 'aws#acme-staging#Okta-Staging-Developer#444444444444',
        alias: 'acme-staging',
        roleName: 'Okta-Staging-Developer',
        accountId: ACCOUNTS.staging,
        status: 'ok',
        roleArn: `arn:aws:iam::${ACCOUNTS.staging}:role/Okta-Staging-Developer`,
        samlProviderArns: [`arn:aws:iam::${ACCOUNTS.staging}:saml-provider/Okta`],
      },
      {
        oktaGroupId: OKTA.missingAccount,
        oktaGroupName: 'aws#ghost#Developer#999999999999',
        alias: 'ghost',
        roleName: 'Developer',
        accountId: '999999999999',
        status: 'account-not-found',
      },
    ]);
  });

  it('lists assignments only for provisioned pairs and counts every call', () => {
    const sso = byOperation(inventory.calls, 'sso-admin');
    // 3 provisioned pairs, not 4 accounts × 3 permission sets.
    expect(sso.ListAccountAssignments?.calls).toBe(3);
    // Two per provisioned permission set (all provisioned accounts, and those not on the latest
    // version); one for Unused, provisioned nowhere, which has no outdated account to ask for.
    expect(sso.ListAccountsForProvisionedPermissionSet?.calls).toBe(5);
    expect(sso.DescribePermissionSet?.calls).toBe(3);
    // The suspended account is skipped; the management account uses its own credentials.
    expect(byOperation(inventory.calls, 'sts').AssumeRole?.calls).toBe(2);
    expect(byOperation(inventory.calls, 'okta')['GET /api/v1/users']?.calls).toBe(2);
    // The only failed calls are the expected ResourceNotFound of the two boundary-less sets.
    expect(totalCalls(inventory.calls).failed).toBe(2);
    expect(sso.GetPermissionsBoundaryForPermissionSet?.failed).toBe(2);
    expect(totalCalls(counters.snapshot()).calls).toBe(totalCalls(inventory.calls).calls);
  });
});

describe('discovery under faults and at page-size boundaries', () => {
  let baseline: Inventory;
  beforeAll(async () => {
    ({ inventory: baseline } = await discover());
  });

  it('gives the same inventory under injected throttling, 5xx and Okta 429s', async () => {
    aws.control.setFaults({ '*': { throttleProbability: 0.25, serverErrorProbability: 0.1 } });
    okta.control.setRateLimits({ windowMs: 1000, forceNext: 2 });
    const progress: DiscoveryProgress[] = [];
    try {
      const h = harness();
      const { inventory } = await runDiscovery(h.deps, {
        source: 'all',
        onProgress: (p) => progress.push(p),
      });
      h.close();
      expect(content(inventory)).toEqual(content(baseline));
      const totals = totalCalls(inventory.calls);
      expect(totals.throttled).toBeGreaterThan(0);
      expect(totals.transientErrors).toBeGreaterThan(0);
      // Only the two expected ResourceNotFound answers; no throttle or 5xx reached the caller.
      expect(totals.failed).toBe(2);
      expect(
        inventory.calls.filter((c) => c.service === 'okta').reduce((n, c) => n + c.throttled, 0),
      ).toBe(2);
    } finally {
      aws.control.setFaults({});
      okta.control.setRateLimits({ windowMs: 60_000, forceNext: 0 });
    }
    const phases = new Set(progress.map((p) => p.phase));
    for (const phase of [
      'identity-center',
      'organizations',
      'identity-store',
      'permission-sets',
      'assignments',
      'account-iam',
      'okta',
      'linking',
    ]) {
      expect(phases).toContain(phase);
    }
    expect(progress.find((p) => p.phase === 'assignments' && p.done === p.total)?.total).toBe(3);
  });

  it('finds the same assignments principal by principal', async () => {
    const h = harness();
    const { inventory } = await runDiscovery(
      { ...h.deps, assignmentStrategy: 'principal' },
      { source: 'aws' },
    );
    h.close();
    expect(inventory.aws?.identityCenter.assignments).toEqual(
      baseline.aws?.identityCenter.assignments,
    );
    const sso = byOperation(inventory.calls, 'sso-admin');
    // One call per identity-store principal (3 users + 1 group), none per provisioned pair.
    expect(sso.ListAccountAssignmentsForPrincipal?.calls).toBe(4);
    expect(sso.ListAccountAssignments).toBeUndefined();
  });

  it.each([1, 2, 3])('gives the same inventory with page size %i', async (pageSize) => {
    const { inventory } = await discover(pageSize);
    expect(content(inventory)).toEqual(content(baseline));
    if (pageSize === 1) {
      // Three users at one per page: at least three ListUsers pages were followed.
      expect(byOperation(inventory.calls, 'identitystore').ListUsers?.calls).toBeGreaterThanOrEqual(
        3,
      );
      expect(
        byOperation(inventory.calls, 'okta')['GET /api/v1/users']?.calls,
      ).toBeGreaterThanOrEqual(4);
    }
  });
});

describe('an account whose role cannot be assumed', () => {
  it('is reported as not inspected with the reason, and the run goes on', async () => {
    const own = await startAwsSimulator({ scenario: awsScenario, asyncLatencyMs: 5 });
    try {
      expect(own.control.deleteRole(ACCOUNTS.staging, 'OrganizationAccountAccessRole')).toBe(true);
      const counters = new AwsCallCounters();
      const limiters = new AwsRateLimiters({ counters, retry: { baseDelayMs: 5 } });
      const clients = createAwsClients(
        { region: own.region, endpoint: own.endpoint, credentials: own.credentials },
        limiters,
      );
      const { inventory } = await runDiscovery(
        {
          aws: {
            identityCenter: new AwsIdentityCenterReader(clients),
            organizations: new AwsOrganizationsReader(clients),
            accountIam: new AwsAccountIamReader({
              managementIam: clients.iam,
              iamForAccount: (accountId, roleName) => clients.iamForAccount(accountId, roleName),
            }),
          },
          callStats: () => counters.snapshot(),
        },
        { source: 'aws' },
      );
      clients.destroy();
      expect(inventory.notInspected.map((n) => [n.id, n.kind])).toEqual([
        [ACCOUNTS.staging, 'account-iam'],
        [ACCOUNTS.suspended, 'account-iam'],
      ]);
      expect(inventory.notInspected[0]?.reason).toMatch(
        /^cannot read IAM through role OrganizationAccountAccessRole: AccessDenied: /,
      );
      // The other member account was still read.
      const prod = inventory.aws?.accounts.find((a) => a.accountId === ACCOUNTS.prod);
      expect(prod?.inspected).toBe(true);
      expect(inventory.aws?.identityCenter.assignments).toHaveLength(3);
    } finally {
      await own.close();
    }
  });
});

describe('the Okta request gate', () => {
  it('waits for the rate-limit window instead of running into 429s', async () => {
    const own = await startOktaSimulator({
      scenario: oktaScenario,
      rateLimits: { windowMs: 1000, perMinute: { users: 2, groups: 2, group: 3 } },
    });
    try {
      const counters = new AwsCallCounters();
      const client = lazyOktaClient({
        orgUrl: own.orgUrl,
        auth: { kind: 'ssws', token: own.token },
        // One request at a time, stopping when a window has nothing left.
        gate: new OktaRequestGate({ counters, maxConcurrency: 1, reserve: 0 }),
      });
      const directory = await new SdkOktaDirectoryReader({ client }).readDirectory();
      expect(directory.users).toHaveLength(4);
      expect(directory.groups).toHaveLength(6);
      expect(directory.memberships).toHaveLength(11);
      const totals = totalCalls(counters.snapshot());
      expect(totals.calls).toBe(2 + 1 + 6);
      expect(totals.throttled).toBe(0);
      expect(own.control.calls().byStatus['429'] ?? 0).toBe(0);
    } finally {
      await own.close();
    }
  });
});
