import type { SeededRandom } from './seeded-random.js';

/** Account status as Organizations reports it. */
export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

export interface OrgAccount {
  id: string;
  arn: string;
  name: string;
  email: string;
  status: AccountStatus;
  joinedMethod: 'INVITED' | 'CREATED';
  joinedTimestamp: Date;
  parentId: string;
  tags: Map<string, string>;
}

export interface OrgUnit {
  id: string;
  arn: string;
  name: string;
  parentId: string;
  tags: Map<string, string>;
}

export interface Organization {
  id: string;
  arn: string;
  managementAccountId: string;
  managementAccountEmail: string;
  rootId: string;
  rootArn: string;
  ous: Map<string, OrgUnit>;
  accounts: Map<string, OrgAccount>;
}

export interface ExternalIdRef {
  Issuer: string;
  Id: string;
}

export interface IdsUser {
  UserId: string;
  UserName: string;
  DisplayName?: string;
  Name?: { GivenName?: string; FamilyName?: string; Formatted?: string };
  Emails?: { Value?: string; Type?: string; Primary?: boolean }[];
  ExternalIds?: ExternalIdRef[];
  [other: string]: unknown;
}

export interface IdsGroup {
  GroupId: string;
  DisplayName: string;
  Description?: string;
  ExternalIds?: ExternalIdRef[];
}

export interface IdsMembership {
  MembershipId: string;
  GroupId: string;
  UserId: string;
}

export interface IdentityStore {
  id: string;
  users: Map<string, IdsUser>;
  groups: Map<string, IdsGroup>;
  memberships: Map<string, IdsMembership>;
  /** `${groupId}|${userId}` → membership id. */
  membershipByPair: Map<string, string>;
}

export interface CustomerManagedPolicyRef {
  Name: string;
  Path: string;
}

export interface PermissionsBoundary {
  CustomerManagedPolicyReference?: CustomerManagedPolicyRef;
  ManagedPolicyArn?: string;
}

export interface PermissionSet {
  arn: string;
  name: string;
  description?: string;
  sessionDuration: string;
  relayState?: string;
  createdDate: Date;
  managedPolicies: string[];
  customerManagedPolicies: CustomerManagedPolicyRef[];
  inlinePolicy?: string;
  permissionsBoundary?: PermissionsBoundary;
  tags: Map<string, string>;
  /** Bumped by every change that provisioning must carry into accounts. */
  version: number;
}

/** A permission set provisioned into one account: its role exists there. */
export interface Provisioning {
  accountId: string;
  permissionSetArn: string;
  /** `version` of the permission set the account's role reflects. */
  provisionedVersion: number;
  roleName: string;
}

export interface Assignment {
  accountId: string;
  permissionSetArn: string;
  principalType: 'USER' | 'GROUP';
  principalId: string;
}

export type AsyncStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface AssignmentOperation {
  kind: 'create' | 'delete';
  requestId: string;
  status: AsyncStatus;
  failureReason?: string;
  assignment: Assignment;
  createdDate: Date;
  /** Epoch ms at which the outcome is decided. */
  dueAt: number;
  injectedFailure: boolean;
}

export interface ProvisioningOperation {
  requestId: string;
  status: AsyncStatus;
  failureReason?: string;
  permissionSetArn: string;
  targetType: 'AWS_ACCOUNT' | 'ALL_PROVISIONED_ACCOUNTS';
  accountId?: string;
  createdDate: Date;
  dueAt: number;
  injectedFailure: boolean;
}

export interface IdcInstance {
  arn: string;
  identityStoreId: string;
  ownerAccountId: string;
  name: string;
  createdDate: Date;
  permissionSets: Map<string, PermissionSet>;
  /** `${accountId}|${permissionSetArn}` → provisioning. */
  provisioned: Map<string, Provisioning>;
  /** assignmentKey() → assignment. */
  assignments: Map<string, Assignment>;
  creations: Map<string, AssignmentOperation>;
  deletions: Map<string, AssignmentOperation>;
  provisionings: Map<string, ProvisioningOperation>;
  tags: Map<string, string>;
}

export interface AttachedPolicy {
  PolicyName: string;
  PolicyArn: string;
}

export interface IamRole {
  path: string;
  roleName: string;
  roleId: string;
  arn: string;
  createDate: Date;
  /** JSON text; IAM returns it URL-encoded. */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  attachedPolicies: AttachedPolicy[];
  inlinePolicies: Map<string, string>;
  tags: Map<string, string>;
}

export interface IamUser {
  path: string;
  userName: string;
  userId: string;
  arn: string;
  createDate: Date;
  groups: string[];
  attachedPolicies: AttachedPolicy[];
  inlinePolicies: Map<string, string>;
  tags: Map<string, string>;
}

export interface IamGroup {
  path: string;
  groupName: string;
  groupId: string;
  arn: string;
  createDate: Date;
  attachedPolicies: AttachedPolicy[];
}

export interface SamlProvider {
  arn: string;
  name: string;
  metadataDocument: string;
  createDate: Date;
  validUntil: Date;
  tags: Map<string, string>;
}

export interface AccountIam {
  accountId: string;
  roles: Map<string, IamRole>;
  users: Map<string, IamUser>;
  groups: Map<string, IamGroup>;
  samlProviders: Map<string, SamlProvider>;
  aliases: string[];
}

/** The whole simulated world. Handlers mutate it; the control API dumps it. */
export interface AwsState {
  region: string;
  organization: Organization;
  identityStore: IdentityStore;
  instance: IdcInstance;
  iam: Map<string, AccountIam>;
}

/** Set-semantics key of an assignment (instance is implicit: one instance per simulator). */
export function assignmentKey(a: Assignment): string {
  return `${a.accountId}|${a.permissionSetArn}|${a.principalType}|${a.principalId}`;
}

export function provisioningKey(accountId: string, permissionSetArn: string): string {
  return `${accountId}|${permissionSetArn}`;
}

const upperAlnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** IAM unique ids: a 4-letter prefix (`AROA`, `AIDA`, `AGPA`, `ASIA`) and 17 characters. */
export function iamUniqueId(random: SeededRandom, prefix: string): string {
  return prefix + random.chars(17, upperAlnum);
}

/** The IAM of an account, created empty on first use. */
export function accountIam(state: AwsState, accountId: string): AccountIam {
  let iam = state.iam.get(accountId);
  if (!iam) {
    iam = {
      accountId,
      roles: new Map(),
      users: new Map(),
      groups: new Map(),
      samlProviders: new Map(),
      aliases: [],
    };
    state.iam.set(accountId, iam);
  }
  return iam;
}

/** Trust policy letting principals of `trustedAccountId` assume the role. */
export function accountTrustPolicy(trustedAccountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${trustedAccountId}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  });
}

/** Trust policy of a SAML-federated role (Okta "AWS Account Federation", IdC reserved roles). */
export function samlTrustPolicy(samlProviderArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: samlProviderArn },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    ],
  });
}

/** Adds a role to an account's IAM (replacing one of the same name). */
export function putRole(
  state: AwsState,
  random: SeededRandom,
  accountId: string,
  role: {
    name: string;
    path?: string;
    trustPolicy: string;
    description?: string;
    maxSessionDuration?: number;
    attachedPolicies?: AttachedPolicy[];
    inlinePolicies?: Map<string, string>;
    tags?: Map<string, string>;
    createDate?: Date;
  },
): IamRole {
  const path = role.path ?? '/';
  const created: IamRole = {
    path,
    roleName: role.name,
    roleId: iamUniqueId(random, 'AROA'),
    arn: `arn:aws:iam::${accountId}:role${path}${role.name}`,
    createDate: role.createDate ?? new Date(),
    assumeRolePolicyDocument: role.trustPolicy,
    maxSessionDuration: role.maxSessionDuration ?? 3600,
    attachedPolicies: role.attachedPolicies ?? [],
    inlinePolicies: role.inlinePolicies ?? new Map<string, string>(),
    tags: role.tags ?? new Map<string, string>(),
    ...(role.description !== undefined ? { description: role.description } : {}),
  };
  accountIam(state, accountId).roles.set(role.name, created);
  return created;
}

/**
 * A plausible IdP metadata document. IAM's model requires 1000+ characters, which a real
 * document with its signing certificate always has.
 */
function samlMetadata(name: string): string {
  const certificate = Buffer.from(`simulated signing certificate for ${name} `.repeat(24)).toString(
    'base64',
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/sim${name}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://example.okta.com/app/amazon_aws/sim/sso/saml"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

/** Adds a SAML provider to an account's IAM. */
export function putSamlProvider(
  state: AwsState,
  accountId: string,
  name: string,
  metadataDocument = samlMetadata(name),
): SamlProvider {
  const arn = `arn:aws:iam::${accountId}:saml-provider/${name}`;
  const provider: SamlProvider = {
    arn,
    name,
    metadataDocument,
    createDate: new Date(),
    validUntil: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    tags: new Map(),
  };
  accountIam(state, accountId).samlProviders.set(arn, provider);
  return provider;
}

/** The name of an AWS managed policy from its ARN (`…:policy/job-function/ViewOnlyAccess`). */
export function policyNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
