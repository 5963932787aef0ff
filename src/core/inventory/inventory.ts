import type { AccountIam } from '../domain/iam.js';
import type {
  AccountAssignment,
  IdcGroup,
  IdcGroupMembership,
  IdcInstance,
  IdcUser,
  PermissionSet,
} from '../domain/identity-center.js';
import type { OktaDirectory } from '../domain/okta.js';
import type { OrganizationTree } from '../domain/organizations.js';
import type { OperationCallStats } from './call-stats.js';
import type { FederationMapping } from '../access/federation-convention.js';

/** Bumped when the stored shape changes incompatibly; readers refuse other versions. */
export const INVENTORY_VERSION = 1;

export const InventorySources = ['aws', 'okta', 'all'] as const;
export type InventorySource = (typeof InventorySources)[number];

export interface IdentityCenterInventory {
  readonly instance: IdcInstance;
  readonly users: readonly IdcUser[];
  readonly groups: readonly IdcGroup[];
  readonly memberships: readonly IdcGroupMembership[];
  readonly permissionSets: readonly PermissionSet[];
  readonly assignments: readonly AccountAssignment[];
}

/** The AWS side: both access systems plus the organisation they live in. */
export interface AwsInventory {
  readonly organization: OrganizationTree;
  readonly identityCenter: IdentityCenterInventory;
  /** IAM per account, inspected or not (then with the reason), sorted by account id. */
  readonly accounts: readonly AccountIam[];
}

/**
 * Okta principals matched to Identity Center principals, as ids only so that the snapshot stays
 * small; `by` says how (external-id, then name). Computed by core/linking/linkPrincipals.
 */
export interface InventoryLinks {
  readonly users: readonly { oktaUserId: string; idcUserId: string; by: string }[];
  readonly groups: readonly { oktaGroupId: string; idcGroupId: string; by: string }[];
  /** Okta users with no Identity Center user yet (not assigned to the app, or SCIM lag). */
  readonly unpushedUsers: readonly string[];
  readonly unpushedGroups: readonly string[];
  /** Identity Center users no Okta user accounts for. */
  readonly orphanUsers: readonly string[];
  readonly orphanGroups: readonly string[];
  readonly ambiguousNames: readonly { kind: string; name: string }[];
}

/** Something discovery could not look at, and why. Never fatal to the run. */
export interface NotInspected {
  /** e.g. `account-iam`. */
  readonly kind: string;
  /** The thing, e.g. an account id. */
  readonly id: string;
  readonly reason: string;
}

/** The result of one `discover`: what is there on both sides and how it relates. */
export interface Inventory {
  readonly version: typeof INVENTORY_VERSION;
  readonly source: InventorySource;
  /** ISO-8601 UTC start of the run. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly aws?: AwsInventory;
  readonly okta?: OktaDirectory;
  /** Present when both sides were read. */
  readonly links?: InventoryLinks;
  /** Okta groups following the AWS Account Federation naming convention; needs both sides. */
  readonly federation?: readonly FederationMapping[];
  readonly notInspected: readonly NotInspected[];
  readonly calls: readonly OperationCallStats[];
}

/** Counts by kind, as the snapshot summary and the table output show them. */
export function inventoryCounts(inventory: Inventory): Record<string, number> {
  const counts: Record<string, number> = {};
  const aws = inventory.aws;
  if (aws) {
    counts.accounts = aws.organization.accounts.length;
    counts.organizationalUnits = aws.organization.organizationalUnits.length;
    counts.idcUsers = aws.identityCenter.users.length;
    counts.idcGroups = aws.identityCenter.groups.length;
    counts.idcMemberships = aws.identityCenter.memberships.length;
    counts.permissionSets = aws.identityCenter.permissionSets.length;
    counts.provisionedPairs = aws.identityCenter.permissionSets.reduce(
      (sum, permissionSet) => sum + permissionSet.provisionedTo.length,
      0,
    );
    counts.assignments = aws.identityCenter.assignments.length;
    counts.accountsInspected = aws.accounts.filter((account) => account.inspected).length;
    counts.iamRoles = aws.accounts.reduce(
      (sum, account) => sum + (account.inspected ? account.roles.length : 0),
      0,
    );
    counts.samlProviders = aws.accounts.reduce(
      (sum, account) => sum + (account.inspected ? account.samlProviders.length : 0),
      0,
    );
    counts.iamUsers = aws.accounts.reduce(
      (sum, account) => sum + (account.inspected ? account.users.length : 0),
      0,
    );
    counts.iamGroups = aws.accounts.reduce(
      (sum, account) => sum + (account.inspected ? account.groups.length : 0),
      0,
    );
  }
  const okta = inventory.okta;
  if (okta) {
    counts.oktaUsers = okta.users.length;
    counts.oktaGroups = okta.groups.length;
    counts.oktaMemberships = okta.memberships.length;
  }
  if (inventory.links) {
    counts.linkedUsers = inventory.links.users.length;
    counts.linkedGroups = inventory.links.groups.length;
    counts.unpushedUsers = inventory.links.unpushedUsers.length;
    counts.unpushedGroups = inventory.links.unpushedGroups.length;
    counts.orphanUsers = inventory.links.orphanUsers.length;
    counts.orphanGroups = inventory.links.orphanGroups.length;
  }
  if (inventory.federation) {
    counts.federationGroups = inventory.federation.length;
    counts.federationProblems = inventory.federation.filter((m) => m.status !== 'ok').length;
  }
  counts.notInspected = inventory.notInspected.length;
  return counts;
}
