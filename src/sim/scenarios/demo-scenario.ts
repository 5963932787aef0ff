import type { AwsScenario } from '../aws/index.js';
import type { OktaScenario } from '../okta/okta-scenario.js';

/**
 * The sample organisation shared by `sim --scenario demo` and `demo`: one Identity Center
 * instance, an organisation of 3 top-level OUs (one with two nested OUs) and 8 member accounts
 * (one suspended), and an Okta org of 40 users and 10 groups. Okta is the source of the identity
 * store: the AWS side starts with no users or groups; SCIM push creates them from the app
 * assignments, exactly as the "AWS IAM Identity Center" app would.
 *
 * Groups follow both conventions the product supports: `aws#<alias>#<role>#<account>` (the Okta
 * "AWS Account Federation" naming) and plain names matched by named-group rules.
 */
export interface DemoScenario {
  readonly aws: AwsScenario;
  readonly okta: OktaScenario;
}

export const DEMO_ACCOUNTS = {
  management: '111111111111',
  securityTooling: '222222222222',
  logArchive: '333333333333',
  prodApp: '444444444444',
  prodData: '555555555555',
  staging: '666666666666',
  dev: '777777777777',
  sandbox: '888888888888',
  retired: '999999999999',
} as const;

const FIRST = ['ada', 'alan', 'grace', 'linus', 'barbara', 'ken', 'margaret', 'dennis'];
const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'liskov'];

/** 40 deterministic logins: every first × last name pair. */
export function demoLogins(): string[] {
  return LAST.flatMap((last) => FIRST.map((first) => `${first}.${last}@example.com`));
}

export function demoScenario(): DemoScenario {
  const logins = demoLogins();
  const members = (start: number, count: number, step = 1): string[] =>
    Array.from({ length: count }, (_, i) => logins[(start + i * step) % logins.length]!);

  const okta: OktaScenario = {
    users: logins.map((login, index) => {
      const [first = '', last = ''] = login.split('@')[0]!.split('.');
      return {
        login,
        email: login,
        firstName: first.charAt(0).toUpperCase() + first.slice(1),
        lastName: last.charAt(0).toUpperCase() + last.slice(1),
        // Two users are already gone from Okta's point of view: they must have no AWS access.
        status: index === 38 ? 'DEPROVISIONED' : index === 39 ? 'SUSPENDED' : 'ACTIVE',
        appAssigned: true,
      };
    }),
    groups: [
      {
        name: `aws#prod-app#ReadOnly#${DEMO_ACCOUNTS.prodApp}`,
        description: 'Read-only in prod-app (federation naming)',
        members: members(0, 6),
      },
      {
        name: `aws#staging#PowerUser#${DEMO_ACCOUNTS.staging}`,
        description: 'Power users in staging (federation naming)',
        members: members(6, 5),
      },
      {
        name: `aws#dev#Developer#${DEMO_ACCOUNTS.dev}`,
        description: 'Developers in dev (federation naming)',
        members: members(10, 8),
      },
      {
        name: 'aws-readonly-prod',
        description: 'Read-only across every production account',
        pushed: true,
        members: members(18, 6),
      },
      {
        name: 'aws-security-audit',
        description: 'Security auditors, every account tagged audit=true',
        pushed: true,
        members: members(24, 4),
      },
      {
        name: 'aws-data-engineers',
        description: 'Data engineers',
        pushed: true,
        members: members(28, 4),
      },
      {
        name: 'aws-platform-admins',
        description: 'Platform team',
        pushed: true,
        members: [...members(32, 3), logins[38]!, logins[39]!],
      },
      { name: 'Engineering', description: 'All engineers', members: members(0, 30) },
      { name: 'Sales', description: 'Not an AWS group', members: members(30, 6) },
      { name: 'Contractors', description: 'Not an AWS group', members: members(36, 4) },
    ],
  };

  const aws: AwsScenario = {
    seed: 7,
    managementAccountId: DEMO_ACCOUNTS.management,
    managementAccountName: 'management',
    managementAccountEmail: 'aws-management@example.com',
    organizationalUnits: [
      { name: 'Security' },
      { name: 'Workloads' },
      { name: 'Production', parent: 'Workloads' },
      { name: 'NonProduction', parent: 'Workloads' },
      { name: 'Sandbox' },
    ],
    accounts: [
      {
        id: DEMO_ACCOUNTS.securityTooling,
        name: 'security-tooling',
        parent: 'Security',
        tags: { audit: 'true' },
      },
      {
        id: DEMO_ACCOUNTS.logArchive,
        name: 'log-archive',
        parent: 'Security',
        tags: { audit: 'true' },
      },
      {
        id: DEMO_ACCOUNTS.prodApp,
        name: 'prod-app',
        parent: 'Production',
        tags: { env: 'prod', audit: 'true' },
      },
      {
        id: DEMO_ACCOUNTS.prodData,
        name: 'prod-data',
        parent: 'Production',
        tags: { env: 'prod', audit: 'true' },
      },
      {
        id: DEMO_ACCOUNTS.staging,
        name: 'staging',
        parent: 'NonProduction',
        tags: { env: 'staging' },
      },
      { id: DEMO_ACCOUNTS.dev, name: 'dev', parent: 'NonProduction', tags: { env: 'dev' } },
      { id: DEMO_ACCOUNTS.sandbox, name: 'sandbox', parent: 'Sandbox', tags: { env: 'sandbox' } },
      {
        id: DEMO_ACCOUNTS.retired,
        name: 'retired-sandbox',
        parent: 'Sandbox',
        status: 'SUSPENDED',
      },
    ],
    // A permission set made by hand long ago: not owned by the tool, so it is reported and left alone.
    permissionSets: [
      {
        name: 'LegacyBreakGlass',
        description: 'Created by hand; not managed by okta-aws-sync',
        sessionDuration: 'PT1H',
        managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      },
    ],
    iam: {
      [DEMO_ACCOUNTS.prodApp]: {
        aliases: ['acme-prod-app'],
        samlProviders: [{ name: 'Okta' }],
        roles: [
          {
            name: 'ReadOnly',
            samlProvider: 'Okta',
            managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
          },
        ],
      },
      [DEMO_ACCOUNTS.staging]: {
        aliases: ['acme-staging'],
        samlProviders: [{ name: 'Okta' }],
        roles: [
          {
            name: 'PowerUser',
            samlProvider: 'Okta',
            managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
          },
        ],
        users: [
          { name: 'ci-deployer', managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
        ],
      },
    },
  };
  return { aws, okta };
}
