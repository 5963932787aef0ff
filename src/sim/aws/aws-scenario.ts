import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const externalId = z.union([z.string(), z.object({ issuer: z.string(), id: z.string() })]);
const tags = z.record(z.string(), z.string());

const faultsSchema = z.record(
  z.string(),
  z.object({
    latencyMs: z.number().nonnegative().optional(),
    throttleProbability: z.number().min(0).max(1).optional(),
    serverErrorProbability: z.number().min(0).max(1).optional(),
    asyncFailureProbability: z.number().min(0).max(1).optional(),
    conflictProbability: z.number().min(0).max(1).optional(),
  }),
);

const policyDocument = z.union([z.string(), z.record(z.string(), z.unknown())]);

/** The scenario file schema (YAML or JSON). Every section is optional. */
export const awsScenarioSchema = z.object({
  seed: z.number().int().optional(),
  region: z.string().optional(),
  managementAccountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  managementAccountName: z.string().optional(),
  managementAccountEmail: z.string().optional(),
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/)
    .optional(),
  rootId: z
    .string()
    .regex(/^r-[0-9a-z]{4,32}$/)
    .optional(),
  instanceId: z
    .string()
    .regex(/^ssoins-[a-zA-Z0-9-.]{16}$/)
    .optional(),
  identityStoreId: z
    .string()
    .regex(/^d-[0-9a-f]{10}$/)
    .optional(),
  organizationalUnits: z
    .array(
      z.object({
        id: z
          .string()
          .regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/)
          .optional(),
        name: z.string().min(1),
        /** OU name or id; the root when omitted. */
        parent: z.string().optional(),
        tags: tags.optional(),
      }),
    )
    .optional(),
  accounts: z
    .array(
      z.object({
        id: z.string().regex(/^\d{12}$/),
        name: z.string().min(1),
        email: z.string().optional(),
        status: z.enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE']).optional(),
        parent: z.string().optional(),
        tags: tags.optional(),
      }),
    )
    .optional(),
  users: z
    .array(
      z.object({
        id: z.string().optional(),
        userName: z.string().min(1),
        displayName: z.string().optional(),
        givenName: z.string().optional(),
        familyName: z.string().optional(),
        email: z.string().optional(),
        externalId: externalId.optional(),
      }),
    )
    .optional(),
  groups: z
    .array(
      z.object({
        id: z.string().optional(),
        displayName: z.string().min(1),
        description: z.string().optional(),
        externalId: externalId.optional(),
        /** userNames (or user ids) of the members. */
        members: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  permissionSets: z
    .array(
      z.object({
        name: z.string().regex(/^[\w+=,.@-]{1,32}$/),
        description: z.string().optional(),
        sessionDuration: z.string().optional(),
        relayState: z.string().optional(),
        managedPolicies: z.array(z.string()).optional(),
        customerManagedPolicies: z
          .array(z.object({ name: z.string(), path: z.string().optional() }))
          .optional(),
        inlinePolicy: policyDocument.optional(),
        permissionsBoundary: z
          .object({
            managedPolicyArn: z.string().optional(),
            customerManagedPolicy: z
              .object({ name: z.string(), path: z.string().optional() })
              .optional(),
          })
          .optional(),
        tags: tags.optional(),
      }),
    )
    .optional(),
  assignments: z
    .array(
      z.object({
        accountId: z.string().regex(/^\d{12}$/),
        /** Permission set name or ARN. */
        permissionSet: z.string(),
        principalType: z.enum(['USER', 'GROUP']),
        /** userName / group displayName, or the identity-store id. */
        principal: z.string(),
      }),
    )
    .optional(),
  /** Per-account IAM, keyed by account id. Every member account also gets OrganizationAccountAccessRole. */
  iam: z
    .record(
      z.string().regex(/^\d{12}$/),
      z.object({
        aliases: z.array(z.string()).optional(),
        samlProviders: z
          .array(z.object({ name: z.string(), metadataDocument: z.string().optional() }))
          .optional(),
        roles: z
          .array(
            z.object({
              name: z.string(),
              path: z.string().optional(),
              description: z.string().optional(),
              /** Trust policy JSON; defaults to the management account (or `samlProvider` when given). */
              trustPolicy: policyDocument.optional(),
              /** Name of a SAML provider in this account: a federated role, e.g. Okta "AWS Account Federation". */
              samlProvider: z.string().optional(),
              managedPolicies: z.array(z.string()).optional(),
              inlinePolicies: z.record(z.string(), policyDocument).optional(),
              maxSessionDuration: z.number().int().optional(),
              tags: tags.optional(),
            }),
          )
          .optional(),
        users: z
          .array(
            z.object({
              name: z.string(),
              path: z.string().optional(),
              groups: z.array(z.string()).optional(),
              managedPolicies: z.array(z.string()).optional(),
            }),
          )
          .optional(),
        groups: z
          .array(
            z.object({
              name: z.string(),
              path: z.string().optional(),
              managedPolicies: z.array(z.string()).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
  faults: faultsSchema.optional(),
  asyncLatencyMs: z.number().nonnegative().optional(),
});

/** A scenario: organisation, identity store, permission sets, assignments and per-account IAM. */
export type AwsScenario = z.infer<typeof awsScenarioSchema>;
export type ScenarioAccount = NonNullable<AwsScenario['accounts']>[number];
export type ScenarioUser = NonNullable<AwsScenario['users']>[number];
export type ScenarioGroup = NonNullable<AwsScenario['groups']>[number];
export type ScenarioPermissionSet = NonNullable<AwsScenario['permissionSets']>[number];
export type ScenarioAssignment = NonNullable<AwsScenario['assignments']>[number];

/**
 * Loads a scenario from a YAML/JSON file path, the word `demo`, or an object; validates it and
 * throws an Error naming the path of the first problem.
 */
export function loadAwsScenario(fileOrObject: unknown): AwsScenario {
  let raw: unknown = fileOrObject;
  if (typeof fileOrObject === 'string') {
    if (fileOrObject === 'demo') return demoAwsScenario();
    raw = parseYaml(readFileSync(fileOrObject, 'utf8'));
  }
  const parsed = awsScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid AWS scenario${typeof fileOrObject === 'string' ? ` ${fileOrObject}` : ''}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : parsed.error.message}`,
    );
  }
  return parsed.data;
}

/**
 * The sample organisation `demo` uses: a management account, five member accounts in OUs, one of
 * them suspended, a handful of users and groups pushed from Okta (with Okta ids as ExternalIds),
 * three permission sets, a few assignments, and an Okta-federated SAML role.
 */
export function demoAwsScenario(): AwsScenario {
  return {
    managementAccountId: '111111111111',
    managementAccountName: 'management',
    managementAccountEmail: 'aws-management@example.com',
    organizationalUnits: [
      { name: 'Workloads' },
      { name: 'Production', parent: 'Workloads' },
      { name: 'NonProduction', parent: 'Workloads' },
      { name: 'Sandbox' },
    ],
    accounts: [
      { id: '222222222222', name: 'prod-app', parent: 'Production', tags: { env: 'prod' } },
      { id: '333333333333', name: 'prod-data', parent: 'Production', tags: { env: 'prod' } },
      { id: '444444444444', name: 'staging', parent: 'NonProduction', tags: { env: 'staging' } },
      { id: '555555555555', name: 'dev', parent: 'NonProduction', tags: { env: 'dev' } },
      { id: '666666666666', name: 'sandbox-old', parent: 'Sandbox', status: 'SUSPENDED' },
    ],
    users: [
      {
        userName: 'alice@example.com',
        givenName: 'Alice',
        familyName: 'Anders',
        externalId: '00u1alice000000000001',
      },
      {
        userName: 'bob@example.com',
        givenName: 'Bob',
        familyName: 'Baker',
        externalId: '00u1bob00000000000002',
      },
      {
        userName: 'carol@example.com',
        givenName: 'Carol',
        familyName: 'Chen',
        externalId: '00u1carol000000000003',
      },
    ],
    groups: [
      {
        displayName: 'aws-prod-readonly',
        externalId: '00g1prodro0000000001',
        members: ['alice@example.com', 'bob@example.com'],
      },
      {
        displayName: 'aws-dev-admin',
        externalId: '00g1devadm0000000002',
        members: ['carol@example.com'],
      },
    ],
    permissionSets: [
      {
        name: 'ReadOnly',
        description: 'Read-only access',
        sessionDuration: 'PT4H',
        managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      },
      {
        name: 'Admin',
        description: 'Administrator access',
        sessionDuration: 'PT1H',
        managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      },
      {
        name: 'Billing',
        description: 'Billing',
        managedPolicies: ['arn:aws:iam::aws:policy/job-function/Billing'],
        inlinePolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
        },
      },
    ],
    assignments: [
      {
        accountId: '222222222222',
        permissionSet: 'ReadOnly',
        principalType: 'GROUP',
        principal: 'aws-prod-readonly',
      },
      {
        accountId: '333333333333',
        permissionSet: 'ReadOnly',
        principalType: 'GROUP',
        principal: 'aws-prod-readonly',
      },
      {
        accountId: '555555555555',
        permissionSet: 'Admin',
        principalType: 'GROUP',
        principal: 'aws-dev-admin',
      },
      {
        accountId: '111111111111',
        permissionSet: 'Billing',
        principalType: 'USER',
        principal: 'alice@example.com',
      },
    ],
    iam: {
      '444444444444': {
        aliases: ['acme-staging'],
        samlProviders: [{ name: 'Okta' }],
        roles: [
          {
            name: 'Okta-Staging-Developer',
            samlProvider: 'Okta',
            managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
          },
        ],
        users: [
          {
            name: 'ci-deployer',
            groups: ['deployers'],
            managedPolicies: ['arn:aws:iam::aws:policy/AWSCodeDeployFullAccess'],
          },
        ],
        groups: [
          { name: 'deployers', managedPolicies: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] },
        ],
      },
    },
  };
}
