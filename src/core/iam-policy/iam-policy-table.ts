/**
 * The one table of what the product calls in AWS: each feature, the AWS operations its code
 * sends, and the IAM action and resource scope each operation needs. `iam-policy` and the Lambda
 * template generate policies from it; the simulator-enforced e2e tests prove it complete (every
 * feature works under its policy) and minimal (dropping any one action breaks its feature).
 * When code starts calling a new operation, add it here or those tests fail.
 */

/** The AWS services the product talks to, by SDK client name. */
export const AwsServiceNames = [
  'sso-admin',
  'identitystore',
  'organizations',
  'iam',
  'sts',
] as const;
export type AwsServiceName = (typeof AwsServiceNames)[number];

/**
 * Features a deployment can enable:
 * - discovery: read Identity Center, Organizations and IAM (management account and, through the
 *   member role, member accounts);
 * - sync: plan and apply: the planner's reads, and the writes to Identity Center (permission sets
 *   and assignments);
 * - serve: the continuous service's start-up identity check and the reads of its per-key
 *   reconciles (one principal and its assignments; the rest of its reconciles is sync's);
 * - entitlements: the five connector actions.
 */
export const IamFeatures = ['discovery', 'sync', 'serve', 'entitlements'] as const;
export type IamFeature = (typeof IamFeatures)[number];

/**
 * Resource scopes, as the Service Authorization Reference allows them:
 * - any: the action supports no resource-level permissions (`*`);
 * - instance: the Identity Center instance, its permission sets and the accounts it assigns in;
 * - identity-store: the identity store and its users, groups and memberships;
 * - member-role: the discovery role in every member account (sts:AssumeRole);
 * - iam-entities: the roles, users and groups of the account the tool runs in (IAM reads of one
 *   named role, user or group; the list calls without a name support no resource).
 */
export const ResourceScopes = [
  'any',
  'instance',
  'identity-store',
  'member-role',
  'iam-entities',
] as const;
export type ResourceScope = (typeof ResourceScopes)[number];

export interface IamOperation {
  readonly service: AwsServiceName;
  /** The API operation name, as the SDK command without `Command`. */
  readonly operation: string;
  readonly scope: ResourceScope;
}

const IAM_PREFIX: Readonly<Record<AwsServiceName, string>> = {
  'sso-admin': 'sso',
  identitystore: 'identitystore',
  organizations: 'organizations',
  iam: 'iam',
  sts: 'sts',
};

/** The IAM action an operation needs (`sso-admin` operations are `sso:` actions). */
export function iamActionOf(op: IamOperation): string {
  return `${IAM_PREFIX[op.service]}:${op.operation}`;
}

const sso = (operation: string, scope: ResourceScope = 'instance'): IamOperation => ({
  service: 'sso-admin',
  operation,
  scope,
});
const ids = (operation: string): IamOperation => ({
  service: 'identitystore',
  operation,
  scope: 'identity-store',
});
const org = (operation: string): IamOperation => ({
  service: 'organizations',
  operation,
  scope: 'any',
});
const iam = (operation: string, scope: ResourceScope = 'any'): IamOperation => ({
  service: 'iam',
  operation,
  scope,
});

/**
 * What planning reads (the plan service, and serve's per-key reconciles): the instance, its
 * permission sets with every part of their definitions and where they are provisioned, the
 * assignments of the ones the plan may touch, the identity store, and the organisation tree.
 * Discovery reads all of it too; sync needs it without discovery's IAM and AssumeRole reads.
 */
const PLAN_READS: readonly IamOperation[] = [
  sso('ListInstances', 'any'),
  sso('ListPermissionSets'),
  sso('DescribePermissionSet'),
  sso('ListManagedPoliciesInPermissionSet'),
  sso('ListCustomerManagedPolicyReferencesInPermissionSet'),
  sso('GetInlinePolicyForPermissionSet'),
  sso('GetPermissionsBoundaryForPermissionSet'),
  sso('ListTagsForResource'),
  sso('ListAccountsForProvisionedPermissionSet'),
  sso('ListAccountAssignments'),
  ids('ListUsers'),
  ids('ListGroups'),
  ids('ListGroupMemberships'),
  org('DescribeOrganization'),
  org('ListRoots'),
  org('ListOrganizationalUnitsForParent'),
  org('ListAccountsForParent'),
  org('ListTagsForResource'),
];

/**
 * Feature → every AWS operation its run calls, shared reads included, so that a policy generated
 * for one feature alone is enough for it (features overlap; the generator deduplicates).
 */
export const IAM_FEATURE_TABLE: Readonly<Record<IamFeature, readonly IamOperation[]>> = {
  discovery: [
    ...PLAN_READS,
    // The `principal` assignment strategy (docs/discovery-call-model.md).
    sso('ListAccountAssignmentsForPrincipal'),
    // Per-account IAM: the management account's directly, members' through the member role.
    // Denials here are tolerated: the account is reported as not inspected.
    iam('ListAccountAliases'),
    iam('ListRoles'),
    iam('GetRole', 'iam-entities'),
    iam('ListRolePolicies', 'iam-entities'),
    iam('ListAttachedRolePolicies', 'iam-entities'),
    iam('ListSAMLProviders'),
    iam('ListUsers'),
    iam('ListGroups'),
    iam('ListGroupsForUser', 'iam-entities'),
    iam('ListAttachedUserPolicies', 'iam-entities'),
    iam('ListAttachedGroupPolicies', 'iam-entities'),
    { service: 'sts', operation: 'AssumeRole', scope: 'member-role' },
  ],
  sync: [
    ...PLAN_READS,
    sso('CreatePermissionSet'),
    sso('UpdatePermissionSet'),
    sso('DeletePermissionSet'),
    sso('AttachManagedPolicyToPermissionSet'),
    sso('DetachManagedPolicyFromPermissionSet'),
    sso('AttachCustomerManagedPolicyReferenceToPermissionSet'),
    sso('DetachCustomerManagedPolicyReferenceFromPermissionSet'),
    sso('PutInlinePolicyToPermissionSet'),
    sso('DeleteInlinePolicyFromPermissionSet'),
    sso('PutPermissionsBoundaryToPermissionSet'),
    sso('DeletePermissionsBoundaryFromPermissionSet'),
    sso('TagResource'),
    sso('UntagResource'),
    sso('ProvisionPermissionSet'),
    sso('DescribePermissionSetProvisioningStatus'),
    sso('CreateAccountAssignment'),
    sso('DescribeAccountAssignmentCreationStatus'),
    sso('DeleteAccountAssignment'),
    sso('DescribeAccountAssignmentDeletionStatus'),
  ],
  serve: [
    { service: 'sts', operation: 'GetCallerIdentity', scope: 'any' },
    // Per-key reconciles read one principal and its assignments (src/app/sync/key-plans.ts);
    // the rest of what they do is sync's.
    ids('GetUserId'),
    ids('DescribeUser'),
    ids('GetGroupId'),
    ids('DescribeGroup'),
    sso('ListAccountAssignmentsForPrincipal'),
  ],
  entitlements: [
    sso('ListInstances', 'any'),
    sso('ListPermissionSets'),
    sso('DescribePermissionSet'),
    sso('ListAccountAssignmentsForPrincipal'),
    sso('CreateAccountAssignment'),
    sso('DescribeAccountAssignmentCreationStatus'),
    sso('DeleteAccountAssignment'),
    sso('DescribeAccountAssignmentDeletionStatus'),
    ids('DescribeUser'),
    ids('DescribeGroup'),
    ids('GetUserId'),
    ids('GetGroupId'),
    org('DescribeOrganization'),
  ],
};

/** Policy modes of `iam-policy --mode`: which features each grants. */
export const IamPolicyModes = ['read-only', 'sync', 'full'] as const;
export type IamPolicyMode = (typeof IamPolicyModes)[number];

export const IAM_MODE_FEATURES: Readonly<Record<IamPolicyMode, readonly IamFeature[]>> = {
  'read-only': ['discovery'],
  sync: ['discovery', 'sync', 'serve'],
  full: ['discovery', 'sync', 'serve', 'entitlements'],
};
