/**
 * Read-side ports onto AWS: what discovery (and later the planner's fresh-state reads) need from
 * Identity Center, Organizations and per-account IAM. Every implementation must follow every
 * page and must go through the shared rate limiter; none of these methods writes.
 */
import type { AccountIam } from '../core/domain/iam.js';
import type {
  AccountAssignment,
  IdcGroup,
  IdcGroupMembership,
  IdcInstance,
  IdcPrincipal,
  IdcUser,
  PermissionSet,
} from '../core/domain/identity-center.js';
import type { AccountId, InstanceArn, PermissionSetArn } from '../core/domain/ids.js';
import type { OrganizationTree, Tags } from '../core/domain/organizations.js';

/** Progress of a long read: `done` of `total` items of `unit` (total may grow as pages arrive). */
export interface ReadProgress {
  readonly unit: string;
  readonly done: number;
  readonly total: number;
}
export type ReadProgressListener = (progress: ReadProgress) => void;

export interface IdentityStoreContents {
  readonly users: readonly IdcUser[];
  readonly groups: readonly IdcGroup[];
  readonly memberships: readonly IdcGroupMembership[];
}

/**
 * How assignments are enumerated (docs/discovery-call-model.md):
 * - permission-set: ListAccountsForProvisionedPermissionSet per permission set, then
 *   ListAccountAssignments per provisioned pair. Complete.
 * - principal: ListAccountAssignmentsForPrincipal per given principal. Cheaper when few
 *   principals matter; misses principals not listed (e.g. deleted from the identity store).
 */
export const AssignmentStrategies = ['permission-set', 'principal'] as const;
export type AssignmentStrategy = (typeof AssignmentStrategies)[number];

export interface IdentityCenterReader {
  /**
   * The instance to work on: `instanceArn` when given (it must exist), else the only instance.
   * Throws UsageError when there is none, or several and no ARN was configured.
   */
  readInstance(instanceArn?: InstanceArn): Promise<IdcInstance>;
  /** Users, groups and every group's members. */
  readIdentityStore(
    instance: IdcInstance,
    onProgress?: ReadProgressListener,
  ): Promise<IdentityStoreContents>;
  /** Every permission set with its full definition, tags and provisioning status per account. */
  readPermissionSets(
    instance: IdcInstance,
    onProgress?: ReadProgressListener,
  ): Promise<readonly PermissionSet[]>;
  /**
   * Every assignment of every provisioned (account, permission set) pair, using the
   * `provisionedTo` lists of `permissionSets` so that no empty pair is ever listed.
   */
  readAssignments(
    instance: IdcInstance,
    permissionSets: readonly PermissionSet[],
    onProgress?: ReadProgressListener,
  ): Promise<readonly AccountAssignment[]>;
  /** The assignments of the given principals only (principal-major). */
  readAssignmentsForPrincipals(
    instance: IdcInstance,
    principals: readonly IdcPrincipal[],
    onProgress?: ReadProgressListener,
  ): Promise<readonly AccountAssignment[]>;
  /**
   * One identity-store user found by an alternate identifier (GetUserId, then DescribeUser);
   * undefined when no user has it. Serve's per-key reconciles resolve one principal this way.
   */
  findUser(instance: IdcInstance, by: PrincipalLookup): Promise<IdcUser | undefined>;
  /** One identity-store group found by an alternate identifier (GetGroupId, then DescribeGroup). */
  findGroup(instance: IdcInstance, by: PrincipalLookup): Promise<IdcGroup | undefined>;
  /** The ARNs of every permission set of the instance (ListPermissionSets only). */
  listPermissionSetArns(instance: IdcInstance): Promise<readonly PermissionSetArn[]>;
  /**
   * One permission set with its full definition, tags and provisioning status, as
   * `readPermissionSets` reads each; undefined when it does not exist (any more).
   */
  readPermissionSetByArn(
    instance: IdcInstance,
    permissionSetArn: PermissionSetArn,
  ): Promise<PermissionSet | undefined>;
  /**
   * A permission set's tags alone (ListTagsForResource): what decides ownership. Undefined when
   * the permission set does not exist (any more).
   */
  readPermissionSetTags(
    instance: IdcInstance,
    permissionSetArn: PermissionSetArn,
  ): Promise<Tags | undefined>;
}

/** An alternate identifier of an identity-store principal. */
export type PrincipalLookup =
  | { readonly kind: 'external-id'; readonly issuer: string; readonly id: string }
  /** userName for users, displayName for groups. */
  | { readonly kind: 'name'; readonly name: string };

export interface OrganizationsReader {
  /** The organisation, its nested OU tree, and every account with status, tags and parent path. */
  readOrganization(onProgress?: ReadProgressListener): Promise<OrganizationTree>;
}

export interface AccountIamReader {
  /**
   * IAM in one account: aliases, roles (trust decoded and classified), SAML providers, users and
   * groups with attached policies. An account that cannot be entered resolves to
   * `{ inspected: false, reason }`; it never rejects for that.
   */
  readAccount(
    accountId: AccountId,
    options: { readonly isManagement: boolean },
  ): Promise<AccountIam>;
}

/** The three AWS readers discovery runs. */
export interface AwsReaders {
  readonly identityCenter: IdentityCenterReader;
  readonly organizations: OrganizationsReader;
  readonly accountIam: AccountIamReader;
}
