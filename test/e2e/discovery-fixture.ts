/**
 * The hand-written world of the discovery end-to-end suites: one of every object kind, on both
 * sides, with the expected links and problems documented beside each object.
 */
import type { AwsScenario } from '../../src/sim/aws/index.js';
import type { OktaScenario } from '../../src/sim/okta/okta-scenario.js';

export const OKTA = {
  alice: '00ualice000000000001', // linked to IdC by ExternalId
  bob: '00ubob00000000000002', // linked to IdC by userName (no ExternalId)
  carol: '00ucarol000000000003', // unpushed: no IdC user
  dave: '00udave0000000000004', // DEPROVISIONED: only an explicit query lists him
  admins: '00gadmins00000000001', // pushed, linked by ExternalId
  staging: '00gstaging0000000002', // federation: role exists and trusts the SAML provider
  missingRole: '00gmissrole000000003', // federation: account exists, role does not
  missingAccount: '00gmissacct000000004', // federation: no such account
  unpushed: '00gunpushed000000005', // ordinary group with no IdC counterpart
} as const;

export const ACCOUNTS = {
  management: '111111111111',
  prod: '222222222222',
  staging: '444444444444',
  suspended: '555555555555',
} as const;

const trustLambda = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

export const awsScenario: AwsScenario = {
  managementAccountId: ACCOUNTS.management,
  managementAccountName: 'management',
  organizationalUnits: [
    { name: 'Workloads' },
    { name: 'Production', parent: 'Workloads' },
    { name: 'Critical', parent: 'Production' },
    { name: 'Sandbox' },
  ],
  accounts: [
    { id: ACCOUNTS.prod, name: 'prod', parent: 'Critical', tags: { env: 'prod' } },
    { id: ACCOUNTS.staging, name: 'staging', parent: 'Workloads', tags: { env: 'staging' } },
    { id: ACCOUNTS.suspended, name: 'old-sandbox', parent: 'Sandbox', status: 'SUSPENDED' },
  ],
  users: [
    {
      userName: 'alice@example.com',
      givenName: 'Alice',
      familyName: 'Anders',
      email: 'alice@example.com',
      externalId: OKTA.alice,
    },
    { userName: 'bob@example.com', givenName: 'Bob', familyName: 'Baker' },
    // Orphan: created by hand in Identity Center, no Okta user.
    { userName: 'mallory@example.com', givenName: 'Mallory', familyName: 'Moss' },
  ],
  groups: [
    {
      displayName: 'aws-admins',
      externalId: OKTA.admins,
      members: ['alice@example.com', 'bob@example.com'],
    },
  ],
  permissionSets: [
    {
      name: 'Admin',
      description: 'Administrator access',
      sessionDuration: 'PT4H',
      relayState: 'https://console.aws.amazon.com/',
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      inlinePolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'organizations:*', Resource: '*' }],
      },
      tags: { team: 'platform' },
    },
    {
      name: 'ReadOnly',
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      customerManagedPolicies: [{ name: 'extra-read', path: '/custom/' }],
      permissionsBoundary: { managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
    },
    { name: 'Unused', description: 'Provisioned nowhere' },
  ],
  assignments: [
    {
      accountId: ACCOUNTS.prod,
      permissionSet: 'Admin',
      principalType: 'GROUP',
      principal: 'aws-admins',
    },
    {
      accountId: ACCOUNTS.prod,
      permissionSet: 'ReadOnly',
      principalType: 'USER',
      principal: 'alice@example.com',
    },
    {
      accountId: ACCOUNTS.staging,
      permissionSet: 'ReadOnly',
      principalType: 'USER',
      principal: 'mallory@example.com',
    },
  ],
  iam: {
    [ACCOUNTS.prod]: {
      aliases: ['acme-prod'],
      roles: [
        {
          name: 'lambda-exec',
          trustPolicy: trustLambda,
          managedPolicies: ['arn:aws:iam::aws:policy/AWSLambdaExecute'],
        },
      ],
      users: [
        {
          name: 'ci-bot',
          groups: ['deployers'],
          managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        },
      ],
      groups: [{ name: 'deployers', managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'] }],
    },
    [ACCOUNTS.staging]: {
      aliases: ['acme-staging'],
      samlProviders: [{ name: 'Okta' }],
      roles: [
        {
          name: 'Okta-Staging-Developer',
          samlProvider: 'Okta',
          managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
        },
      ],
    },
  },
};

export const oktaScenario: OktaScenario = {
  users: [
    {
      id: OKTA.alice,
      login: 'alice@example.com',
      email: 'alice@example.com',
      firstName: 'Alice',
      lastName: 'Anders',
    },
    {
      id: OKTA.bob,
      login: 'bob@example.com',
      email: 'bob@example.com',
      firstName: 'Bob',
      lastName: 'Baker',
    },
    {
      id: OKTA.carol,
      login: 'carol@example.com',
      email: 'carol@example.com',
      firstName: 'Carol',
      lastName: 'Chen',
    },
    {
      id: OKTA.dave,
      login: 'dave@example.com',
      email: 'dave@example.com',
      firstName: 'Dave',
      lastName: 'Dunn',
      status: 'DEPROVISIONED',
    },
  ],
  groups: [
    { id: OKTA.admins, name: 'aws-admins', members: [OKTA.alice, OKTA.bob], pushed: false },
    {
      id: OKTA.staging,
      name: 'aws#acme-staging#Okta-Staging-Developer#444444444444',
      members: [OKTA.bob, OKTA.carol],
      pushed: false,
    },
    {
      id: OKTA.missingRole,
      name: 'aws#acme-prod#MissingRole#222222222222',
      members: [OKTA.alice],
      pushed: false,
    },
    {
      id: OKTA.missingAccount,
      name: 'aws#ghost#Developer#999999999999',
      members: [],
      pushed: false,
    },
    { id: OKTA.unpushed, name: 'engineering', members: [OKTA.carol, OKTA.dave], pushed: false },
  ],
};
